import { BadRequestException, Body, Controller, Get, Param, Post, Query, Redirect, Render, Req } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { flash } from '../common/flash';
import { FormInvalid } from '../common/form-invalid';
import { parseForm } from '../common/forms';
import { originOf, type HubRequest } from '../common/http';
import { OwnerOnly } from '../common/public.decorator';
import { RateLimited } from '../throttle';
import { changeRoleForm, inviteUserForm } from './dto/invite-user.dto';
import { OWNER_RIGHTS, removalView, roleChangeView } from './users.presenter';
import { UsersService } from './users.service';

const ADD_USER = { title: 'Add user', ownerRights: `Can also ${OWNER_RIGHTS}` };

/**
 * The Users page: everyone on the team. Owners invite, resend, revoke, change roles and
 * remove; members only look (the server refuses them with 403, not only hidden buttons).
 * Changing a role and removing someone first show a page of their own that says what will
 * happen (GET, no JavaScript needed); its form posts the change.
 */
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @Render('users/index')
  async index(@Req() req: HubRequest) {
    return { title: 'Users', team: await this.users.team(req.member!) };
  }

  @OwnerOnly()
  @Get('new')
  @Render('users/new')
  newPage() {
    return { ...ADD_USER, values: { role: 'member' }, errors: {} };
  }

  @OwnerOnly()
  @Post()
  @Redirect('/users', 303)
  async create(@Req() req: HubRequest, @Body() body: unknown) {
    const form = parseForm(inviteUserForm, body);
    if (!form.ok) throw new FormInvalid('users/new', { ...ADD_USER, values: form.values, errors: form.errors });
    const member = req.member!;
    try {
      await this.users.invite(
        member.partnerId,
        form.data,
        { id: member.userId, name: member.userName, email: member.email },
        originOf(req),
      );
    } catch (err) {
      const values = form.data;
      if (err instanceof DomainError && err.code === 'users.already_on_team') {
        throw new FormInvalid('users/new', { ...ADD_USER, values, errors: { email: err.message } });
      }
      if (err instanceof RateLimited) {
        throw new FormInvalid('users/new', { ...ADD_USER, values, errors: { email: err.message } }, 429, err.retryAfterSeconds);
      }
      throw err;
    }
    flash(req, 'notice', `Invitation sent to ${form.data.email}.`);
  }

  @OwnerOnly()
  @Post(':id/resend')
  @Redirect('/users', 303)
  async resend(@Req() req: HubRequest, @Param('id') id: string) {
    await this.act(req, async () => {
      const m = await this.users.resendInvitation(req.member!, id, originOf(req));
      return `A new invitation was sent to ${m.user.email}.`;
    });
  }

  @OwnerOnly()
  @Post(':id/revoke')
  @Redirect('/users', 303)
  async revoke(@Req() req: HubRequest, @Param('id') id: string) {
    await this.act(req, async () => {
      const m = await this.users.revokeInvitation(req.member!, id, originOf(req));
      return `The invitation to ${m.user.email} was revoked.`;
    });
  }

  @OwnerOnly()
  @Get(':id/role')
  @Render('users/confirm')
  async confirmRole(@Req() req: HubRequest, @Param('id') id: string, @Query() query: Record<string, unknown>) {
    // The person first: another partner's id is a 404 whatever the query says.
    const person = await this.users.teamMember(req.member!, id);
    const form = parseForm(changeRoleForm, query);
    if (!form.ok) throw new BadRequestException(form.errors.role ?? 'Choose owner or member.');
    return roleChangeView(person, form.data.role, req.member!);
  }

  @OwnerOnly()
  @Post(':id/role')
  @Redirect('/users', 303)
  async changeRole(@Req() req: HubRequest, @Param('id') id: string, @Body() body: unknown) {
    const form = parseForm(changeRoleForm, body);
    if (!form.ok) {
      flash(req, 'alert', form.errors.role ?? 'Choose owner or member.');
      return;
    }
    await this.act(req, async () => {
      const m = await this.users.changeRole(req.member!, id, form.data.role, originOf(req));
      return `${m.user.email} is now ${form.data.role === 'owner' ? 'an owner' : 'a member'}.`;
    });
  }

  @OwnerOnly()
  @Get(':id/remove')
  @Render('users/confirm')
  async confirmRemove(@Req() req: HubRequest, @Param('id') id: string) {
    return removalView(await this.users.teamMember(req.member!, id), req.member!);
  }

  @OwnerOnly()
  @Post(':id/remove')
  @Redirect('/users', 303)
  async remove(@Req() req: HubRequest, @Param('id') id: string) {
    await this.act(req, async () => {
      const m = await this.users.remove(req.member!, id, originOf(req));
      return `${m.user.email} was removed from the team.`;
    });
  }

  /** Runs a team change; its outcome, good or refused, is a flash on the Users page. */
  private async act(req: HubRequest, change: () => Promise<string>) {
    try {
      flash(req, 'notice', await change());
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      flash(req, 'alert', err.message);
    }
  }
}
