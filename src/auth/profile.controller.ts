import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { DomainError } from '../common/domain-error';
import { flash } from '../common/flash';
import { parseForm } from '../common/forms';
import type { HubRequest } from '../common/http';
import { RateLimited } from '../throttle/rate-limiter';
import { newPasswordErrors } from './password-policy';
import { PasswordsService } from './passwords.service';

const changeForm = z.object({ current: z.string().max(1024), password: z.string().max(1024), confirm: z.string().max(1024) });

/** The signed-in person's own page: who they are, and a new password. */
@Controller('profile')
export class ProfileController {
  constructor(private readonly passwords: PasswordsService) {}

  @Get()
  page(@Req() req: HubRequest, @Res() res: Response) {
    res.render('auth/profile', { title: 'Your profile', errors: {} });
  }

  @Post('password')
  async changePassword(@Req() req: HubRequest, @Res() res: Response, @Body() body: unknown) {
    const member = req.member!;
    const form = parseForm(changeForm, body);
    const render = (errors: Record<string, string>) => res.status(422).render('auth/profile', { title: 'Your profile', errors });
    if (!form.ok) return render(form.errors);
    const partnerNames = req.memberships?.map((m) => m.partnerName) ?? [member.partnerName];
    const errors = newPasswordErrors(form.data.password, form.data.confirm, { email: member.email, partnerNames });
    if (errors) return render(errors);
    try {
      await this.passwords.change(member.userId, form.data.current, form.data.password, req);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'auth.wrong_current_password') return render({ current: err.message });
      if (err instanceof RateLimited) {
        res.setHeader('Retry-After', String(err.retryAfterSeconds));
        return res.status(429).render('auth/profile', { title: 'Your profile', errors: { current: err.message } });
      }
      throw err;
    }
    // Every session of theirs ended with the change: this one goes on under a new id.
    await new Promise<void>((resolve, reject) => req.logIn({ id: member.userId }, (err) => (err ? reject(err) : resolve())));
    req.session.partnerId = member.partnerId;
    flash(req, 'notice', 'Your password was changed. Your other sessions were signed out.');
    res.redirect(303, '/profile');
  }
}
