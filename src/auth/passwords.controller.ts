import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { DomainError } from '../common/domain-error';
import { flash } from '../common/flash';
import { email, parseForm } from '../common/forms';
import { clientIp, type HubRequest } from '../common/http';
import { Public } from '../common/public.decorator';
import { RateLimited, RateLimiter } from '../throttle/rate-limiter';
import { AuthLimits } from './auth.throttles';
import { newPasswordErrors } from './password-policy';
import { PasswordsService } from './passwords.service';
import { hashToken } from './tokens.service';

export const newPasswordForm = z.object({ password: z.string().max(1024), confirm: z.string().max(1024) });
const forgotForm = z.object({ email: email() });

const SAME_ANSWER = 'If that address belongs to someone on a Partner Hub team, a link is on its way. Check your inbox.';

/** The pending token of this kind that a link put into the session (as a hash, never raw). */
export function pendingHash(req: HubRequest, kind: string): string | null {
  const v = req.session?.pendingToken;
  return v?.startsWith(`${kind}:`) ? v.slice(kind.length + 1) : null;
}

/**
 * Moves a token from the URL into the session at once, so it leaks through no Referer or
 * history. Opening links counts against the IP's limit: tokens are not to be guessed.
 */
export async function stashToken(limiter: RateLimiter, req: HubRequest, res: Response, kind: string, raw: string, to: string) {
  await limiter.claimAll(req, 'token', [[AuthLimits.tokenLandingsPerIp, clientIp(req)]], 'Too many links opened from your network.');
  req.session.pendingToken = `${kind}:${hashToken(raw.slice(0, 200))}`;
  res.redirect(303, to);
}

/** Forgotten password: ask for a link, then set a new password with it. */
@Controller('password')
export class PasswordsController {
  constructor(
    private readonly passwords: PasswordsService,
    private readonly limiter: RateLimiter,
  ) {}

  @Public()
  @Get('forgot')
  forgotPage(@Res() res: Response) {
    res.render('auth/forgot', { title: 'Forgot your password?', values: {}, errors: {} });
  }

  @Public()
  @Post('forgot')
  async forgot(@Req() req: HubRequest, @Res() res: Response, @Body() body: unknown) {
    const form = parseForm(forgotForm, body);
    if (!form.ok) {
      return res.status(422).render('auth/forgot', { title: 'Forgot your password?', values: form.values, errors: form.errors });
    }
    // The same answer whether the address is known or not; a limit refuses both alike.
    try {
      await this.passwords.requestLink(form.data.email, req);
    } catch (err) {
      if (!(err instanceof RateLimited)) throw err;
      res.setHeader('Retry-After', String(err.retryAfterSeconds));
      return res.status(429).render('auth/forgot', { title: 'Forgot your password?', values: form.data, errors: { email: err.message } });
    }
    flash(req, 'notice', SAME_ANSWER);
    res.redirect(303, '/password/forgot');
  }

  @Public()
  @Get('reset')
  async resetPage(@Req() req: HubRequest, @Res() res: Response) {
    const hash = pendingHash(req, 'reset');
    const ctx = hash ? await this.passwords.describeReset(hash) : null;
    if (!ctx) return res.status(410).render('auth/link_invalid', { title: 'This link is not valid' });
    res.render('auth/reset', { title: 'Choose a new password', ctx, errors: {} });
  }

  @Public()
  @Get('reset/:token')
  stash(@Req() req: HubRequest, @Res() res: Response, @Param('token') token: string) {
    return stashToken(this.limiter, req, res, 'reset', token, '/password/reset');
  }

  @Public()
  @Post('reset')
  async reset(@Req() req: HubRequest, @Res() res: Response, @Body() body: unknown) {
    const hash = pendingHash(req, 'reset');
    const ctx = hash ? await this.passwords.describeReset(hash) : null;
    if (!hash || !ctx) return res.status(410).render('auth/link_invalid', { title: 'This link is not valid' });
    const form = parseForm(newPasswordForm, body);
    const errors = form.ok ? newPasswordErrors(form.data.password, form.data.confirm, ctx) : form.errors;
    if (!form.ok || errors) return res.status(422).render('auth/reset', { title: 'Choose a new password', ctx, errors });
    try {
      await this.passwords.reset(hash, form.data.password, req);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'auth.link_invalid') {
        return res.status(410).render('auth/link_invalid', { title: 'This link is not valid' });
      }
      throw err;
    }
    req.session.pendingToken = undefined;
    flash(req, 'notice', 'Your password was changed. Sign in with it now.');
    res.redirect(303, '/login');
  }
}
