import { Body, Controller, Get, Inject, Param, Post, Redirect, Render, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { DomainError } from '../common/domain-error';
import { flash } from '../common/flash';
import { FormInvalid } from '../common/form-invalid';
import { email, parseForm } from '../common/forms';
import { originOf, type HubRequest } from '../common/http';
import { Public } from '../common/public.decorator';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { RateLimited, RateLimiter } from '../throttle';
import { newPasswordErrors, newPasswordForm } from './password-policy';
import { markBrowserKnown } from './known-browser';
import { PasswordsService } from './passwords.service';
import { linkInvalid, pendingHash, stashToken } from './pending-token';

const forgotForm = z.object({ email: email() });

const SAME_ANSWER = 'If that address belongs to someone on a Partner Hub team, a link is on its way. Check your inbox.';
const FORGOT = { title: 'Forgot your password?' };
const RESET = { title: 'Choose a new password' };

/** Forgotten password: ask for a link, then set a new password with it. */
@Controller('password')
export class PasswordsController {
  constructor(
    private readonly passwords: PasswordsService,
    private readonly limiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get('forgot')
  @Render('auth/forgot')
  forgotPage() {
    return { ...FORGOT, values: {}, errors: {} };
  }

  @Public()
  @Post('forgot')
  @Redirect('/password/forgot', 303)
  async forgot(@Req() req: HubRequest, @Body() body: unknown) {
    const form = parseForm(forgotForm, body);
    if (!form.ok) throw new FormInvalid('auth/forgot', { ...FORGOT, values: form.values, errors: form.errors });
    // The same answer whether the address is known or not; a limit refuses both alike.
    try {
      await this.passwords.requestLink(form.data.email, originOf(req));
    } catch (err) {
      if (!(err instanceof RateLimited)) throw err;
      throw new FormInvalid('auth/forgot', { ...FORGOT, values: form.data, errors: { email: err.message } }, 429, err.retryAfterSeconds);
    }
    flash(req, 'notice', SAME_ANSWER);
  }

  @Public()
  @Get('reset')
  @Render('auth/reset')
  async resetPage(@Req() req: HubRequest) {
    const hash = pendingHash(req, 'reset');
    const ctx = hash ? await this.passwords.describeReset(hash) : null;
    if (!ctx) throw linkInvalid();
    return { ...RESET, ctx, errors: {} };
  }

  @Public()
  @Get('reset/:token')
  @Redirect('/password/reset', 303)
  async stash(@Req() req: HubRequest, @Param('token') token: string) {
    await stashToken(this.limiter, req, 'reset', token);
  }

  @Public()
  @Post('reset')
  @Redirect('/login', 303)
  async reset(@Req() req: HubRequest, @Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    const hash = pendingHash(req, 'reset');
    const ctx = hash ? await this.passwords.describeReset(hash) : null;
    if (!hash || !ctx) throw linkInvalid();
    const form = parseForm(newPasswordForm, body);
    const errors = form.ok ? newPasswordErrors(form.data.password, form.data.confirm, ctx) : form.errors;
    if (!form.ok || errors) throw new FormInvalid('auth/reset', { ...RESET, ctx, values: {}, errors: errors ?? {} });
    let email: string;
    try {
      email = await this.passwords.reset(hash, form.data.password, originOf(req));
    } catch (err) {
      if (err instanceof DomainError && err.code === 'auth.link_invalid') throw linkInvalid();
      throw err;
    }
    // The link proved the address: this browser signs in on its own count, even while
    // strangers' guesses pause the account (the lock email suggests exactly this way out).
    markBrowserKnown(req, res, this.config, email);
    req.session.pendingToken = undefined;
    flash(req, 'notice', 'Your password was changed. Sign in with it now.');
  }
}
