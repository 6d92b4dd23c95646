import { Body, Controller, Get, Inject, Param, Post, Redirect, Render, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { hashPassword, linkInvalid, markBrowserKnown, newPasswordErrors, pendingHash, stashToken } from '../auth';
import { DomainError } from '../common/domain-error';
import { flash } from '../common/flash';
import { FormInvalid } from '../common/form-invalid';
import { parseForm } from '../common/forms';
import { originOf, type HubRequest } from '../common/http';
import { Public } from '../common/public.decorator';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { RateLimiter } from '../throttle';
import { newcomerForm } from './dto/invite-user.dto';
import { UsersService } from './users.service';

const CREATE_PASSWORD = { title: 'Create Password' };

/**
 * Create Password: the invited person lands here from the email. The token leaves the URL at
 * once (into the session, as its hash); the page then lives at /invitations.
 */
@Controller('invitations')
export class InvitationsController {
  constructor(
    private readonly users: UsersService,
    private readonly limiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get()
  @Render('users/invitation')
  async page(@Req() req: HubRequest) {
    const hash = pendingHash(req, 'invitation');
    const invitation = hash ? await this.users.describeInvitation(hash) : null;
    if (!invitation) throw linkInvalid();
    return { ...CREATE_PASSWORD, invitation, values: { name: invitation.name }, errors: {} };
  }

  @Public()
  @Get(':token')
  @Redirect('/invitations', 303)
  async stash(@Req() req: HubRequest, @Param('token') token: string) {
    await stashToken(this.limiter, req, 'invitation', token);
  }

  @Public()
  @Post()
  @Redirect('/login', 303)
  async accept(@Req() req: HubRequest, @Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    const hash = pendingHash(req, 'invitation');
    const invitation = hash ? await this.users.describeInvitation(hash) : null;
    if (!hash || !invitation) throw linkInvalid();
    let newcomer: { passwordHash: string; name: string } | null = null;
    if (!invitation.hasPassword) {
      const form = parseForm(newcomerForm, body);
      const errors = form.ok
        ? newPasswordErrors(form.data.password, form.data.confirm, { email: invitation.email, partnerNames: [invitation.partnerName] })
        : form.errors;
      if (!form.ok || errors) {
        const typed = (body as { name?: unknown } | undefined)?.name;
        const values = { name: typeof typed === 'string' ? typed.slice(0, 200) : '' };
        throw new FormInvalid('users/invitation', { ...CREATE_PASSWORD, invitation, values, errors: errors ?? {} });
      }
      newcomer = { passwordHash: await hashPassword(form.data.password), name: form.data.name };
    }
    try {
      const { partnerName } = await this.users.acceptInvitation(hash, newcomer, originOf(req));
      // The link proved the address, as a reset's does: this browser signs in on its own count,
      // even if strangers' wrong passwords pause the account before the first sign-in.
      markBrowserKnown(req, res, this.config, invitation.email);
      req.session.pendingToken = undefined;
      // No automatic sign-in: the person proves the new password by signing in with it.
      flash(req, 'notice', `You have joined ${partnerName}. Sign in with your email and password.`);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'users.link_invalid') throw linkInvalid();
      throw err;
    }
  }
}
