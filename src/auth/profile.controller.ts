import { Body, Controller, Get, Post, Redirect, Render, Req } from '@nestjs/common';
import { z } from 'zod';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { flash } from '../common/flash';
import { FormInvalid } from '../common/form-invalid';
import { parseForm } from '../common/forms';
import { originOf, type CurrentMember, type HubRequest } from '../common/http';
import { isChoosableZone, zoneChoices } from '../common/time-zones';
import { RateLimited } from '../throttle';
import { AuthService } from './auth.service';
import { newPasswordErrors } from './password-policy';
import { PasswordsService } from './passwords.service';

const changeForm = z.object({ current: z.string().max(1024), password: z.string().max(1024), confirm: z.string().max(1024) });
const timeZoneForm = z.object({ timeZone: z.string().max(64) });

const PROFILE = { title: 'Your profile' };
const UNKNOWN_ZONE = 'Choose a time zone from the list.';

/** The signed-in person's own page: who they are, the time zone they read in, and a new password. */
@Controller('profile')
export class ProfileController {
  constructor(
    private readonly passwords: PasswordsService,
    private readonly auth: AuthService,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Render('auth/profile')
  page(@Req() req: HubRequest) {
    return this.view(req.member!, {});
  }

  @Post('time-zone')
  @Redirect('/profile', 303)
  async changeTimeZone(@Req() req: HubRequest, @Body() body: unknown) {
    const member = req.member!;
    const form = parseForm(timeZoneForm, body);
    const zone = form.ok ? form.data.timeZone : '';
    if (!form.ok || (zone !== '' && !isChoosableZone(zone))) throw await this.refused(member, { timeZone: UNKNOWN_ZONE });
    await this.auth.setTimeZone(member, zone || null, originOf(req));
    flash(req, 'notice', zone ? `Times are now shown in ${zone}.` : "Times are now shown in your partner's billing time zone.");
  }

  @Post('password')
  @Redirect('/profile', 303)
  async changePassword(@Req() req: HubRequest, @Body() body: unknown) {
    const member = req.member!;
    const form = parseForm(changeForm, body);
    if (!form.ok) throw await this.refused(member, form.errors);
    const partnerNames = req.memberships?.map((m) => m.partnerName) ?? [member.partnerName];
    const errors = newPasswordErrors(form.data.password, form.data.confirm, { email: member.email, partnerNames });
    if (errors) throw await this.refused(member, errors);
    try {
      await this.passwords.change(member.userId, form.data.current, form.data.password, originOf(req));
    } catch (err) {
      if (err instanceof DomainError && err.code === 'auth.wrong_current_password')
        throw await this.refused(member, { current: err.message });
      if (err instanceof RateLimited) throw await this.refused(member, { current: err.message }, 429, err.retryAfterSeconds);
      throw err;
    }
    // Every session of theirs ended with the change: this one goes on under a new id.
    await new Promise<void>((resolve, reject) => req.logIn({ id: member.userId }, (err) => (err ? reject(err) : resolve())));
    req.session.partnerId = member.partnerId;
    flash(req, 'notice', 'Your password was changed. Your other sessions were signed out.');
  }

  /** The page's locals: the zones to choose from, with the person's setting selected. */
  private async view(member: CurrentMember, errors: Record<string, string>) {
    const setting = await this.auth.timeZoneSetting(member);
    const now = this.clock.now();
    return { ...PROFILE, errors, now, timeZone: { ...setting, groups: zoneChoices(now, setting.chosen) } };
  }

  /** The page again with the errors. Passwords are never typed back into the form. */
  private async refused(member: CurrentMember, errors: Record<string, string>, status?: number, retryAfterSeconds?: number) {
    return new FormInvalid('auth/profile', { ...(await this.view(member, errors)), values: {} }, status, retryAfterSeconds);
  }
}
