import type { Role } from '../auth/entities/membership.entity';
import type { CurrentMember } from '../common/http';
import { UsersErrors } from './users.errors';
import type { TeamRow } from './users.service';

/**
 * What a confirmation page of a team change shows: who, on which partner, exactly what
 * happens, and the form that does it, or why it cannot be done (then no form at all).
 */
export interface ConfirmationView {
  title: string;
  heading: string;
  person: { name: string; email: string; role: string; status: string; isSelf: boolean };
  partnerName: string;
  /** What happens, one sentence each. */
  consequences: string[];
  /** Why the change is refused (the last owner), or already done: no form then. */
  refusal?: string;
  form?: { action: string; role?: Role; label: string; danger: boolean };
}

const ROLE_NAMES: Record<Role, string> = { owner: 'Owner', member: 'Member' };

/** What an owner may do that a member may not (the routes marked OwnerOnly). */
/** What an owner can do that a member cannot, in the one wording every page uses (the invitation form, a role change). */
export const OWNER_RIGHTS =
  'manage the team (invite, change roles, remove people) and its API keys, request and withdraw payment revocations, and see Activity';

function personOf(p: TeamRow) {
  return {
    name: p.name,
    email: p.email,
    role: ROLE_NAMES[p.role],
    status: p.status === 'active' ? 'Active' : 'Invited',
    isSelf: p.isSelf,
  };
}

/** The page before removing someone from the team. */
export function removalView(p: TeamRow, member: CurrentMember): ConfirmationView {
  const partner = member.partnerName;
  const who = p.isSelf ? 'You' : p.name;
  const heading = p.isSelf ? `Remove yourself from ${partner}?` : `Remove ${p.name} from ${partner}?`;
  const base = { title: heading, heading, person: personOf(p), partnerName: partner };
  if (p.lastOwner) return { ...base, consequences: [], refusal: UsersErrors.lastOwner().message };
  const consequences =
    p.status === 'invited'
      ? [`The invitation sent to ${p.email} stops working; ${p.name} does not join ${partner}.`]
      : [
          `${who} can no longer open ${partner} on Partner Hub: its WhatsApp numbers, clients and downloads${
            p.role === 'owner' ? ', the team, payment revocations and Activity' : ''
          }.`,
          p.isSelf
            ? 'You are signed out at once, on every device.'
            : `Every session ${p.name} has open ends at once: they are signed out on every device.`,
          `What ${p.isSelf ? 'you' : 'they'} did stays in Activity.`,
          p.isSelf ? 'Only another owner can invite you back.' : 'You can invite them again later.',
        ];
  return {
    ...base,
    consequences,
    form: { action: `/users/${p.id}/remove`, label: p.isSelf ? 'Remove myself' : `Remove ${p.name}`, danger: true },
  };
}

/** The page before giving someone the other role. */
export function roleChangeView(p: TeamRow, role: Role, member: CurrentMember): ConfirmationView {
  const partner = member.partnerName;
  const roleName = role === 'owner' ? 'an owner' : 'a member';
  const heading = p.isSelf ? `Make yourself ${roleName} of ${partner}?` : `Make ${p.name} ${roleName} of ${partner}?`;
  const base = { title: heading, heading, person: personOf(p), partnerName: partner };
  if (p.role === role) return { ...base, consequences: [], refusal: `${p.isSelf ? 'You are' : `${p.name} is`} already ${roleName}.` };
  if (p.lastOwner) return { ...base, consequences: [], refusal: UsersErrors.lastOwner().message };
  const who = p.isSelf ? 'you' : p.name;
  const consequences =
    role === 'owner'
      ? [
          `As an owner of ${partner}, ${p.name} can also ${OWNER_RIGHTS}, as you can.`,
          `${p.name} could then remove you or make you a member.`,
        ]
      : [
          `As a member of ${partner}, ${who} still ${p.isSelf ? 'see' : 'sees'} its WhatsApp numbers and clients and can download them.`,
          `${p.isSelf ? 'You' : p.name} can no longer ${OWNER_RIGHTS}${p.isSelf ? ', from the next page you open' : ''}.`,
        ];
  return {
    ...base,
    consequences,
    form: { action: `/users/${p.id}/role`, role, label: role === 'owner' ? 'Make owner' : 'Make member', danger: role === 'member' },
  };
}
