import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Response } from 'express';
import type { HubRequest } from './http';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export class CsrfRejected extends Error {
  /** The form's session is gone (it ended while the page was open): no token could have matched. */
  constructor(
    reason: string,
    readonly sessionEnded = false,
  ) {
    super(reason);
  }
}

/** The session's synchronizer token, made on first use (the login form included). */
export function csrfToken(req: HubRequest): string {
  return (req.session.csrfSecret ??= randomBytes(32).toString('base64url'));
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Refuses a state-changing request that a browser marks as cross-site, that comes from a
 * foreign Origin, or that lacks the session's synchronizer token.
 */
export function csrfProtection(allowedOrigin: string) {
  return (req: HubRequest, _res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method)) return next();
    if (req.get('sec-fetch-site') === 'cross-site') return next(new CsrfRejected('cross-site request'));
    const origin = req.get('origin');
    // Pages are served with Referrer-Policy: no-referrer, so browsers send `Origin: null` on the
    // app's own forms; then only a browser's own Sec-Fetch-Site: same-origin vouches for it.
    if (origin === 'null') {
      if (req.get('sec-fetch-site') !== 'same-origin') return next(new CsrfRejected('opaque origin'));
    } else if (origin && origin !== allowedOrigin && origin !== `${req.protocol}://${req.get('host')}`) {
      return next(new CsrfRejected('foreign origin'));
    }
    const sent = (req.body as Record<string, unknown> | undefined)?._csrf ?? req.get('x-csrf-token');
    const expected = req.session?.csrfSecret;
    if (!expected) return next(new CsrfRejected('session ended', true));
    if (typeof sent !== 'string' || !sameToken(sent, expected)) return next(new CsrfRejected('missing or wrong token'));
    next();
  };
}
