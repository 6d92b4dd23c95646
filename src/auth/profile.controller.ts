import { Body, Controller, Get, Post, Redirect, Render, Req } from '@nestjs/common';
import { z } from 'zod';
import { DomainError } from '../common/domain-error';
import { flash } from '../common/flash';
import { FormInvalid } from '../common/form-invalid';
import { parseForm } from '../common/forms';
import { originOf, type HubRequest } from '../common/http';
import { RateLimited } from '../throttle';
import { newPasswordErrors } from './password-policy';
import { PasswordsService } from './passwords.service';

const changeForm = z.object({ current: z.string().max(1024), password: z.string().max(1024), confirm: z.string().max(1024) });

const PROFILE = { title: 'Your profile' };

/** Passwords are never typed back into the form: only the errors go with it. */
const refused = (errors: Record<string, string>, status?: number, retryAfterSeconds?: number) =>
  new FormInvalid('auth/profile', { ...PROFILE, values: {}, errors }, status, retryAfterSeconds);

/** The signed-in person's own page: who they are, and a new password. */
@Controller('profile')
export class ProfileController {
  constructor(private readonly passwords: PasswordsService) {}

  @Get()
  @Render('auth/profile')
  page() {
    return { ...PROFILE, errors: {} };
  }

  @Post('password')
  @Redirect('/profile', 303)
  async changePassword(@Req() req: HubRequest, @Body() body: unknown) {
    const member = req.member!;
    const form = parseForm(changeForm, body);
    if (!form.ok) throw refused(form.errors);
    const partnerNames = req.memberships?.map((m) => m.partnerName) ?? [member.partnerName];
    const errors = newPasswordErrors(form.data.password, form.data.confirm, { email: member.email, partnerNames });
    if (errors) throw refused(errors);
    try {
      await this.passwords.change(member.userId, form.data.current, form.data.password, originOf(req));
    } catch (err) {
      if (err instanceof DomainError && err.code === 'auth.wrong_current_password') throw refused({ current: err.message });
      if (err instanceof RateLimited) throw refused({ current: err.message }, 429, err.retryAfterSeconds);
      throw err;
    }
    // Every session of theirs ended with the change: this one goes on under a new id.
    await new Promise<void>((resolve, reject) => req.logIn({ id: member.userId }, (err) => (err ? reject(err) : resolve())));
    req.session.partnerId = member.partnerId;
    flash(req, 'notice', 'Your password was changed. Your other sessions were signed out.');
  }
}
