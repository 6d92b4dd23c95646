import type { RatePolicy } from '../throttle';

const HOUR = 3_600_000;

/** How much email an owner can cause: invitations and resends count alike. */
export const UsersLimits = {
  invitationsPerPartner: {
    name: 'invite.partner',
    points: 50,
    windowMs: HOUR,
    refusal: 'Your team has sent 50 invitations in the last hour.',
  },
  invitationsPerAddress: {
    name: 'invite.address',
    points: 5,
    windowMs: 24 * HOUR,
    refusal: 'This address has been sent 5 invitations in the last 24 hours.',
  },
} satisfies Record<string, RatePolicy>;
