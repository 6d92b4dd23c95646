import { FormInvalid } from '../common/form-invalid';
import { originOf, type HubRequest } from '../common/http';
import type { RateLimiter } from '../throttle';
import { AuthLimits } from './auth.throttles';
import { hashToken } from './tokens.service';
import { limitNetwork } from '../common/ip-network';

/** The pending token of this kind that a link put into the session (as a hash, never raw). */
export function pendingHash(req: HubRequest, kind: string): string | null {
  const v = req.session?.pendingToken;
  return v?.startsWith(`${kind}:`) ? v.slice(kind.length + 1) : null;
}

/**
 * Moves a token from the URL into the session at once, so it leaks through no Referer or
 * history (the caller redirects to the page without it). Opening links counts against the IP's
 * limit: tokens are not to be guessed.
 */
export async function stashToken(limiter: RateLimiter, req: HubRequest, kind: string, raw: string): Promise<void> {
  const origin = originOf(req);
  await limiter.claimAll(
    origin,
    'token',
    [[AuthLimits.tokenLandingsPerIp, limitNetwork(origin.ip)]],
    'Too many links opened from your network.',
  );
  // The token without what a mail client or a copy added after it (TOKEN_SHAPE).
  const token = /^[A-Za-z0-9_-]*/.exec(raw)![0];
  req.session.pendingToken = `${kind}:${hashToken(token)}`;
}

/**
 * The one page for an invitation or reset link that is unknown, used, replaced or expired: a
 * 410 whose form asks for a new link.
 */
export function linkInvalid(): FormInvalid {
  return new FormInvalid('auth/link_invalid', { title: 'This link is not valid', values: {}, errors: {} }, 410);
}
