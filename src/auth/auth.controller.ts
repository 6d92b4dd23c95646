import { EntityManager } from '@mikro-orm/core';
import { Body, Controller, Get, Header, Inject, Post, Query, Redirect, Render, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { actorOf, AuditService } from '../audit/audit.service';
import { flash } from '../common/flash';
import { parseForm } from '../common/forms';
import { originOf, type HubRequest } from '../common/http';
import { safeLocalPath } from '../common/local-path';
import { LOGGER, type Logger } from '../common/logger';
import { GuestOnly, Public } from '../common/public.decorator';
import { APP_CONFIG, cookieOptions, type AppConfig } from '../config/config';
import { AuthService } from './auth.service';
import type { User } from './entities/user.entity';
import { LoginGuard } from './login.guard';

@Controller()
export class AuthController {
  constructor(
    private readonly audit: AuditService,
    private readonly em: EntityManager,
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Public()
  @Get()
  @Redirect(undefined, 303)
  home(@Req() req: HubRequest) {
    return { url: req.member ? '/accounts' : '/login' };
  }

  /** `next` is the page the person was opening when asked to sign in; a refused one is dropped. */
  @GuestOnly()
  @Get('login')
  @Render('auth/login')
  loginPage(@Query('next') next: unknown, @Query('signed_out') signedOut: unknown) {
    // The session that would carry a flash is gone: the sign-out says so in the address.
    return { title: 'Sign in', values: {}, next: safeLocalPath(next), signedOut: signedOut === '1' };
  }

  /**
   * The guard has checked the password (or re-rendered the form) and started the new session:
   * on to the page the person was opening, else the accounts.
   */
  @Public()
  @Post('login')
  @UseGuards(LoginGuard)
  @Redirect(undefined, 303)
  async login(@Req() req: HubRequest) {
    const user = req.user as User;
    const origin = originOf(req);
    const ctx = await this.auth.loadMember(user.id);
    if (ctx) {
      req.session.partnerId = ctx.member.partnerId;
      const em = this.em.fork();
      this.audit.record(em, {
        action: 'auth.signed_in',
        partnerId: ctx.member.partnerId,
        actor: { id: user.id, name: user.name, email: user.email },
        origin,
      });
      await em.flush();
    }
    this.logger.info({ event: 'login.success', requestId: origin.requestId, ip: origin.ip, userId: user.id }, 'signed in');
    return { url: safeLocalPath((req.body as { next?: unknown }).next) ?? '/accounts' };
  }

  @Post('logout')
  // A shared computer keeps nothing of the session: its cookie and the origin's storage go. The
  // known-browser cookie stays (it names nobody): a stranger's guesses must not lock out a
  // person who signs out every evening.
  @Header('Clear-Site-Data', '"storage"')
  @Redirect('/login?signed_out=1', 303)
  async logout(@Req() req: HubRequest, @Res({ passthrough: true }) res: Response) {
    const member = req.member!;
    const em = this.em.fork();
    this.audit.record(em, { action: 'auth.signed_out', partnerId: member.partnerId, actor: actorOf(member), origin: originOf(req) });
    await em.flush();
    this.logger.info({ event: 'logout', requestId: req.id, userId: member.userId }, 'signed out');
    await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
    // With the attributes it was set with: a browser ignores a Set-Cookie for a __Host- cookie without Secure.
    res.clearCookie(this.config.session.cookieName, cookieOptions(this.config));
  }

  /** The partner switcher, for people on more than one partner's team. */
  @Post('partner')
  @Redirect('/accounts', 303)
  switchPartner(@Req() req: HubRequest, @Body() body: unknown) {
    const form = parseForm(z.object({ partnerId: z.string().max(64) }), body);
    const target = form.ok ? req.memberships?.find((m) => m.partnerId === form.data.partnerId) : undefined;
    if (!target) {
      flash(req, 'alert', 'You are not on that partner’s team.');
    } else {
      req.session.partnerId = target.partnerId;
      flash(req, 'notice', `You are now looking at ${target.partnerName}.`);
    }
  }
}
