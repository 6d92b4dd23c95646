import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError } from '../common/domain-error';
import { flash } from '../common/flash';
import { parseForm } from '../common/forms';
import type { HubRequest } from '../common/http';
import { OwnerOnly } from '../common/public.decorator';
import { RateLimited } from '../throttle/rate-limiter';
import { changeRoleForm, inviteUserForm } from './dto/invite-user.dto';
import { UsersService } from './users.service';

/**
 * The Users page: everyone on the team. Owners invite, resend, revoke, change roles and
 * remove; members only look (the server refuses them with 403, not only hidden buttons).
 */
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  async index(@Req() req: HubRequest, @Res() res: Response) {
    const team = await this.users.team(req.member!);
    res.render('users/index', { title: 'Users', team });
  }

  @OwnerOnly()
  @Get('new')
  newPage(@Res() res: Response) {
    res.render('users/new', { title: 'Add user', values: { role: 'member' }, errors: {} });
  }

  @OwnerOnly()
  @Post()
  async create(@Req() req: HubRequest, @Res() res: Response, @Body() body: unknown) {
    const form = parseForm(inviteUserForm, body);
    const rerender = (values: Record<string, string>, errors: Record<string, string>) =>
      res.status(422).render('users/new', { title: 'Add user', values, errors });
    if (!form.ok) return rerender(form.values, form.errors);
    const member = req.member!;
    try {
      await this.users.invite(member.partnerId, form.data, { id: member.userId, name: member.userName, email: member.email }, req);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'users.already_on_team') return rerender(form.data, { email: err.message });
      if (err instanceof RateLimited) {
        res.setHeader('Retry-After', String(err.retryAfterSeconds));
        return res.status(429).render('users/new', { title: 'Add user', values: form.data, errors: { email: err.message } });
      }
      throw err;
    }
    flash(req, 'notice', `Invitation sent to ${form.data.email}.`);
    res.redirect(303, '/users');
  }

  @OwnerOnly()
  @Post(':id/resend')
  async resend(@Req() req: HubRequest, @Res() res: Response, @Param('id') id: string) {
    await this.act(req, res, async () => {
      const m = await this.users.resendInvitation(req.member!, id, req);
      return `A new invitation was sent to ${m.user.email}.`;
    });
  }

  @OwnerOnly()
  @Post(':id/revoke')
  async revoke(@Req() req: HubRequest, @Res() res: Response, @Param('id') id: string) {
    await this.act(req, res, async () => {
      const m = await this.users.revokeInvitation(req.member!, id, req);
      return `The invitation to ${m.user.email} was revoked.`;
    });
  }

  @OwnerOnly()
  @Post(':id/role')
  async changeRole(@Req() req: HubRequest, @Res() res: Response, @Param('id') id: string, @Body() body: unknown) {
    const form = parseForm(changeRoleForm, body);
    if (!form.ok) {
      flash(req, 'alert', form.errors.role ?? 'Choose owner or member.');
      return res.redirect(303, '/users');
    }
    await this.act(req, res, async () => {
      const m = await this.users.changeRole(req.member!, id, form.data.role, req);
      return `${m.user.email} is now ${form.data.role === 'owner' ? 'an owner' : 'a member'}.`;
    });
  }

  @OwnerOnly()
  @Post(':id/remove')
  async remove(@Req() req: HubRequest, @Res() res: Response, @Param('id') id: string) {
    await this.act(req, res, async () => {
      const m = await this.users.remove(req.member!, id, req);
      return `${m.user.email} was removed from the team.`;
    });
  }

  /** Runs a team change; its outcome, good or refused, is a flash on the Users page. */
  private async act(req: HubRequest, res: Response, change: () => Promise<string>) {
    try {
      flash(req, 'notice', await change());
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      flash(req, 'alert', err.message);
    }
    res.redirect(303, '/users');
  }
}
