/**
 * The kinds of event Activity can be filtered by, grouped as an owner thinks of them. A group
 * selects all its actions at once; an action selects itself. Actions no group names (older or
 * future ones) still show, under "Everything".
 */
export interface KindGroup {
  value: string;
  label: string;
  /** The option that selects the whole group. */
  all: string;
  actions: readonly { action: string; label: string }[];
}

export const KIND_GROUPS: readonly KindGroup[] = [
  {
    value: 'sign-ins',
    label: 'Sign-ins',
    all: 'All sign-ins and sign-outs',
    actions: [
      { action: 'auth.signed_in', label: 'Signed in' },
      { action: 'auth.signed_out', label: 'Signed out' },
    ],
  },
  {
    value: 'failed-sign-ins',
    label: 'Failed sign-ins',
    all: 'All failed sign-ins',
    actions: [
      { action: 'auth.sign_in_failed', label: 'Wrong password' },
      { action: 'auth.sign_in_locked', label: 'Sign-in paused after failed attempts' },
    ],
  },
  {
    value: 'settings',
    label: 'Passwords and settings',
    all: 'All password and setting changes',
    actions: [
      { action: 'auth.password_changed', label: 'Password changed' },
      { action: 'auth.password_reset', label: 'Password reset by email' },
      { action: 'auth.time_zone_changed', label: 'Time zone changed' },
    ],
  },
  {
    value: 'team',
    label: 'Team',
    all: 'All team changes',
    actions: [
      { action: 'team.invited', label: 'Invitations sent' },
      { action: 'team.invitation_resent', label: 'Invitations resent' },
      { action: 'team.invitation_revoked', label: 'Invitations withdrawn' },
      { action: 'team.joined', label: 'Joined the team' },
      { action: 'team.role_changed', label: 'Roles changed' },
      { action: 'team.removed', label: 'Removed from the team' },
    ],
  },
  {
    value: 'revocations',
    label: 'Payment revocations',
    all: 'All payment revocation steps',
    actions: [
      { action: 'revocation.requested', label: 'Revocation requested' },
      { action: 'revocation.withdrawn', label: 'Revocation withdrawn' },
      { action: 'revocation.billing_ended', label: 'Billing ended' },
      { action: 'revocation.number_removed', label: 'Number removed from the hub' },
    ],
  },
  {
    value: 'downloads',
    label: 'Downloads',
    all: 'All downloads',
    actions: [{ action: 'accounts.exported', label: 'Numbers downloaded' }],
  },
  {
    value: 'api-keys',
    label: 'API keys',
    all: 'All API key changes',
    actions: [
      { action: 'api_key.created', label: 'API key created' },
      { action: 'api_key.revoked', label: 'API key revoked' },
      { action: 'api_key.first_used', label: 'API key used for the first time' },
    ],
  },
  {
    value: 'partner',
    label: 'Partner and contract',
    all: 'All partner and contract changes',
    actions: [
      { action: 'partner.created', label: 'Partner created' },
      { action: 'partner.terms_changed', label: 'Contract terms changed' },
    ],
  },
];

/**
 * Everything but the sign-ins and sign-outs: on a busy team they are most of the trail, and the
 * changes an owner looks for drown in them. Failed sign-ins stay.
 */
export const ALL_BUT_SIGN_INS = { value: 'all-but-sign-ins', label: 'Everything but sign-ins and sign-outs' } as const;

/** What a `kind` value selects: these actions, or every action but these. */
export type KindSelection = { actions: string[] } | { exceptActions: string[] };

/** What a `kind` value selects, or undefined when the value names no kind. */
export function kindSelection(kind: string): KindSelection | undefined {
  if (kind === ALL_BUT_SIGN_INS.value) {
    return { exceptActions: KIND_GROUPS.find((g) => g.value === 'sign-ins')!.actions.map((a) => a.action) };
  }
  for (const group of KIND_GROUPS) {
    if (group.value === kind) return { actions: group.actions.map((a) => a.action) };
    if (group.actions.some((a) => a.action === kind)) return { actions: [kind] };
  }
  return undefined;
}
