import { Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import type { Response } from 'express';
import { AuthGuard } from '@nestjs/passport';
import { z } from 'zod';
import { AfterResponse } from '../common/after-response';
import { canonicalEmail } from '../common/email';
import { FormInvalid } from '../common/form-invalid';
import { parseForm } from '../common/forms';
import { originOf, type HubRequest } from '../common/http';
import { LOGGER, type Logger } from '../common/logger';
import { safeLocalPath } from '../common/local-path';
import { logSecurityEvent } from '../common/security-log';
import { RateLimiter, tryAgainIn, type Claim, type RateDecision } from '../throttle';
import { AuthService } from './auth.service';
import { AuthLimits } from './auth.throttles';
import type { User } from './entities/user.entity';
import { limitNetwork } from '../common/ip-network';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { knownBrowserOf, markBrowserKnown } from './known-browser';

const loginForm = z.object({
  // Canonical, so that every spelling of an address is one account to the throttle too.
  email: z.string().max(320).transform(canonicalEmail),
  password: z.string().max(1024),
  // Where to go once signed in (the page that asked for sign-in): kept only when safe, never an error.
  next: z.string().optional().transform(safeLocalPath),
});

type Typed = { email: string; next?: string };

/**
 * The sign-in form again, with the address typed, the page to go to next and one sentence
 * (never which part was wrong).
 */
const signInRefused = ({ email, next }: Typed, error: string, status?: number, retryAfterSeconds?: number) =>
  new FormInvalid('auth/login', { title: 'Sign in', values: { email }, next, errors: {}, error }, status, retryAfterSeconds);

/**
 * POST /login: reads the form, counts the guess, lets the local strategy check the password and
 * signs the person in (passport's logIn gives the session a new id, nothing carried over from
 * before sign-in). A refusal is the form again, 422, or 429 past a limit.
 */
@Injectable()
export class LoginGuard extends AuthGuard('local') {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly after: AfterResponse,
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    super();
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<HubRequest>();
    const form = parseForm(loginForm, req.body);
    if (!form.ok || !form.data.email || !form.data.password) {
      const typed = form.ok ? form.data : { email: form.values.email ?? '', next: safeLocalPath(form.values.next) };
      throw signInRefused(typed, 'Enter your email and password.');
    }
    const { email } = form.data;
    // The strategy reads the canonical address.
    req.body = form.data;
    const origin = originOf(req);
    // A browser the account signed in from before has a count of its own: a stranger's wrong
    // passwords pause only the browsers the account never used (known-browser.ts).
    const browserId = knownBrowserOf(req, this.config, email);
    // The guess is counted before the password is compared, so that of many requests sent at
    // once only the allowed number reach bcrypt (the right password included).
    const byIp = await this.limiter.consume(AuthLimits.signInPerIp, limitNetwork(origin.ip));
    let counted: Claim | null = null;
    let byCount: RateDecision | null = null;
    if (byIp.allowed && browserId) {
      const byBrowser = await this.limiter.consume(AuthLimits.signInPerKnownBrowser, browserId);
      // Once it has spent its own, a known browser is a new one again, as OWASP's device cookies
      // have it: its guesses count on the account, and a pause there is told to the person.
      if (byBrowser.allowed) [counted, byCount] = [[AuthLimits.signInPerKnownBrowser, browserId], byBrowser];
    }
    if (byIp.allowed && !counted) {
      counted = [AuthLimits.signInPerAccount, email];
      byCount = await this.limiter.consume(...counted);
    }
    const refused = !byIp.allowed ? byIp : byCount && !byCount.allowed ? byCount : null;
    if (refused) {
      logSecurityEvent(this.logger, req, 'login.throttled', {
        limit: byIp.allowed ? 'account' : 'ip',
        knownBrowser: browserId !== null,
        retryAfter: refused.retryAfterSeconds,
      });
      if (byCount?.justLocked) this.after.run(origin, 'sign-in lock notice', () => this.auth.signInLocked(email, origin));
      const error = `Too many failed sign-ins. ${tryAgainIn(refused.retryAfterSeconds)}`;
      throw signInRefused(form.data, error, 429, refused.retryAfterSeconds);
    }
    await super.canActivate(context);
    // A successful sign-in is not a guess: its points go back.
    await this.limiter.refund(...counted!);
    await this.limiter.refund(AuthLimits.signInPerIp, limitNetwork(origin.ip));
    await super.logIn(req);
    markBrowserKnown(req, context.switchToHttp().getResponse<Response>(), this.config, email);
    return true;
  }

  handleRequest<TUser = User>(err: unknown, user: TUser | false, _info: unknown, context: ExecutionContext): TUser {
    if (err) throw err;
    if (user) return user;
    const req = context.switchToHttp().getRequest<HubRequest>();
    const origin = originOf(req);
    const typed = req.body as z.output<typeof loginForm>;
    this.logger.info({ event: 'login.failure', requestId: origin.requestId, ip: origin.ip }, 'sign-in failed');
    // Whether the address is on a team must not change the answer's timing: Activity is
    // written once the answer is on its way.
    this.after.run(origin, 'failed sign-in record', () => this.auth.signInFailed(typed.email, origin));
    throw signInRefused(typed, 'The email or password is incorrect.');
  }
}
