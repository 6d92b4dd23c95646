import { EntityManager } from '@mikro-orm/core';
import { Body, Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import passport from 'passport';
import { z } from 'zod';
import { actorOf, AuditService } from '../audit/audit.service';
import { AfterResponse } from '../common/after-response';
import { flash } from '../common/flash';
import { parseForm } from '../common/forms';
import { canonicalEmail } from '../common/email';
import { clientIp, type HubRequest, originOf } from '../common/http';
import { LOGGER, type Logger } from '../common/logger';
import { Public } from '../common/public.decorator';
import { logSecurityEvent } from '../common/security-log';
import { RateLimiter, tryAgainIn } from '../throttle/rate-limiter';
import { User } from '../users/entities/user.entity';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { AuthService } from './auth.service';
import { AuthLimits } from './auth.throttles';

const loginForm = z.object({
  // Canonical, so that every spelling of an address is one account to the throttle too.
  email: z.string().max(320).transform(canonicalEmail),
  password: z.string().max(1024),
});

const BAD_CREDENTIALS = 'The email or password is incorrect.';

function authenticate(req: HubRequest, res: Response): Promise<User | false> {
  return new Promise((resolve, reject) => {
    passport.authenticate('local', { session: false }, (err: unknown, user: User | false) => (err ? reject(err) : resolve(user)))(
      req,
      res,
      reject,
    );
  });
}

@Controller()
export class AuthController {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly after: AfterResponse,
    private readonly audit: AuditService,
    private readonly em: EntityManager,
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Public()
  @Get()
  home(@Req() req: HubRequest, @Res() res: Response) {
    res.redirect(303, req.member ? '/accounts' : '/login');
  }

  @Public()
  @Get('login')
  loginPage(@Req() req: HubRequest, @Res() res: Response) {
    if (req.member) return res.redirect(303, '/accounts');
    res.render('auth/login', { title: 'Sign in', values: {} });
  }

  @Public()
  @Post('login')
  async login(@Req() req: HubRequest, @Res() res: Response, @Body() body: unknown) {
    const form = parseForm(loginForm, body);
    const ip = clientIp(req);
    const values = { email: form.ok ? form.data.email : (form.values.email ?? '') };
    if (!form.ok || !form.data.email || !form.data.password) {
      return res.status(422).render('auth/login', { title: 'Sign in', values, error: 'Enter your email and password.' });
    }
    const { email } = form.data;
    // The guess is counted before the password is compared, so that of many requests sent at
    // once only the allowed number reach bcrypt (the right password included).
    const byIp = await this.limiter.consume(AuthLimits.signInPerIp, ip);
    const byAccount = byIp.allowed ? await this.limiter.consume(AuthLimits.signInPerAccount, email) : null;
    const refused = !byIp.allowed ? byIp : byAccount && !byAccount.allowed ? byAccount : null;
    if (refused) {
      logSecurityEvent(this.logger, req, 'login.throttled', {
        limit: byIp.allowed ? 'account' : 'ip',
        retryAfter: refused.retryAfterSeconds,
      });
      if (byAccount?.justLocked) this.after.run(originOf(req), 'sign-in lock notice', () => this.auth.signInLocked(email, req));
      res.setHeader('Retry-After', String(refused.retryAfterSeconds));
      return res.status(429).render('auth/login', {
        title: 'Sign in',
        values,
        error: `Too many failed sign-ins. ${tryAgainIn(refused.retryAfterSeconds)}`,
      });
    }
    const user = await authenticate(req, res);
    if (!user) {
      this.logger.info({ event: 'login.failure', requestId: req.id, ip }, 'sign-in failed');
      // Whether the address is on a team must not change the answer's timing: Activity is
      // written once the answer is on its way.
      this.after.run(originOf(req), 'failed sign-in record', () => this.auth.signInFailed(email, req));
      return res.status(422).render('auth/login', { title: 'Sign in', values, error: BAD_CREDENTIALS });
    }
    // A successful sign-in is not a guess: its points go back.
    await this.limiter.refund(AuthLimits.signInPerAccount, email);
    await this.limiter.refund(AuthLimits.signInPerIp, ip);
    // logIn regenerates the session: a new id, nothing carried over from before sign-in.
    await new Promise<void>((resolve, reject) => req.logIn(user, (err) => (err ? reject(err) : resolve())));
    const ctx = await this.auth.loadMember(user.id);
    if (ctx) {
      req.session.partnerId = ctx.member.partnerId;
      const em = this.em.fork();
      this.audit.record(em, {
        action: 'auth.signed_in',
        partnerId: ctx.member.partnerId,
        actor: { id: user.id, name: user.name, email: user.email },
        origin: req ? originOf(req) : null,
      });
      await em.flush();
    }
    this.logger.info({ event: 'login.success', requestId: req.id, ip, userId: user.id }, 'signed in');
    res.redirect(303, '/accounts');
  }

  @Post('logout')
  async logout(@Req() req: HubRequest, @Res() res: Response) {
    const member = req.member!;
    const em = this.em.fork();
    this.audit.record(em, {
      action: 'auth.signed_out',
      partnerId: member.partnerId,
      actor: actorOf(member),
      origin: req ? originOf(req) : null,
    });
    await em.flush();
    this.logger.info({ event: 'logout', requestId: req.id, userId: member.userId }, 'signed out');
    await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
    res.clearCookie(this.config.session.cookieName, { path: '/' });
    // A shared computer keeps nothing of the session: cookies and storage of this origin go.
    res.setHeader('Clear-Site-Data', '"cookies", "storage"');
    res.redirect(303, '/login');
  }

  /** The partner switcher, for people on more than one partner's team. */
  @Post('partner')
  switchPartner(@Req() req: HubRequest, @Res() res: Response, @Body() body: unknown) {
    const form = parseForm(z.object({ partnerId: z.string().max(64) }), body);
    const target = form.ok ? req.memberships?.find((m) => m.partnerId === form.data.partnerId) : undefined;
    if (!target) {
      flash(req, 'alert', 'You are not on that partner’s team.');
    } else {
      req.session.partnerId = target.partnerId;
      flash(req, 'notice', `You are now looking at ${target.partnerName}.`);
    }
    res.redirect(303, '/accounts');
  }
}
