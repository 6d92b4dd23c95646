import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { newPasswordForm, pendingHash, stashToken } from '../auth/passwords.controller';
import { newPasswordErrors } from '../auth/password-policy';
import { hashPassword } from '../auth/passwords';
import { DomainError } from '../common/domain-error';
import { flash } from '../common/flash';
import { parseForm } from '../common/forms';
import type { HubRequest } from '../common/http';
import { Public } from '../common/public.decorator';
import { RateLimiter } from '../throttle/rate-limiter';
import { UsersService } from './users.service';

const INVALID = { title: 'This link is not valid' };

/**
 * Create Password: the invited person lands here from the email. The token leaves the URL at
 * once (into the session, as its hash); the page then lives at /invitations.
 */
@Controller('invitations')
export class InvitationsController {
  constructor(
    private readonly users: UsersService,
    private readonly limiter: RateLimiter,
  ) {}

  @Public()
  @Get()
  async page(@Req() req: HubRequest, @Res() res: Response) {
    const hash = pendingHash(req, 'invitation');
    const invitation = hash ? await this.users.describeInvitation(hash) : null;
    if (!invitation) return res.status(410).render('auth/link_invalid', INVALID);
    res.render('users/invitation', { title: 'Create Password', invitation, errors: {} });
  }

  @Public()
  @Get(':token')
  stash(@Req() req: HubRequest, @Res() res: Response, @Param('token') token: string) {
    return stashToken(this.limiter, req, res, 'invitation', token, '/invitations');
  }

  @Public()
  @Post()
  async accept(@Req() req: HubRequest, @Res() res: Response, @Body() body: unknown) {
    const hash = pendingHash(req, 'invitation');
    const invitation = hash ? await this.users.describeInvitation(hash) : null;
    if (!hash || !invitation) return res.status(410).render('auth/link_invalid', INVALID);
    let passwordHash: string | null = null;
    if (!invitation.hasPassword) {
      const form = parseForm(newPasswordForm, body);
      const errors = form.ok
        ? newPasswordErrors(form.data.password, form.data.confirm, { email: invitation.email, partnerNames: [invitation.partnerName] })
        : form.errors;
      if (!form.ok || errors) return res.status(422).render('users/invitation', { title: 'Create Password', invitation, errors });
      passwordHash = await hashPassword(form.data.password);
    }
    try {
      const { partnerName } = await this.users.acceptInvitation(hash, passwordHash, req);
      req.session.pendingToken = undefined;
      // No automatic sign-in: the person proves the new password by signing in with it.
      flash(req, 'notice', `You have joined ${partnerName}. Sign in with your email and password.`);
      res.redirect(303, '/login');
    } catch (err) {
      if (err instanceof DomainError && err.code === 'users.link_invalid') return res.status(410).render('auth/link_invalid', INVALID);
      throw err;
    }
  }
}
