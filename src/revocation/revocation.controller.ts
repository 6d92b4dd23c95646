import { Body, Controller, Get, Param, Post, Render, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { flash } from '../common/flash';
import { parseForm, type FieldErrors } from '../common/forms';
import type { CurrentMember, HubRequest } from '../common/http';
import { OwnerOnly } from '../common/public.decorator';
import { RevocationFieldError } from './revocation.errors';
import { MAX_REASON_LENGTH, RevocationService, type RevocationPreview } from './revocation.service';
import { longDate } from './termination-date';

const requestForm = z.object({
  confirmation: z.string().max(64, 'Type the phone number exactly as shown above (spaces do not matter).'),
  reason: z.string().trim().max(MAX_REASON_LENGTH, `The reason must be at most ${MAX_REASON_LENGTH} characters.`).optional(),
});

/**
 * Request and withdraw payment revocation of one number (the Danger Zone of its details
 * page). Owners only: members get 403 and nothing changes; another partner's number is 404.
 */
@Controller('accounts/:id/revocation')
@OwnerOnly()
export class RevocationController {
  constructor(private readonly revocations: RevocationService) {}

  @Get('new')
  @Render('revocation/new')
  async new(@Req() req: HubRequest, @Param('id') id: string) {
    return this.requestPage(await this.revocations.preview(member(req), id), {}, {});
  }

  @Post()
  async create(@Req() req: HubRequest, @Res() res: Response, @Param('id') id: string, @Body() body: unknown) {
    const form = parseForm(requestForm, body);
    const rerender = async (errors: FieldErrors, values: Record<string, string>) =>
      res.status(422).render('revocation/new', this.requestPage(await this.revocations.preview(member(req), id), errors, values));
    if (!form.ok) return rerender(form.errors, form.values);
    try {
      const { revocation, number, clientEmailed } = await this.revocations.request(member(req), id, form.data, req);
      flash(
        req,
        'notice',
        `Revocation requested for ${number.phoneNumber}: you are billed until the end of ${longDate(revocation.terminationDate)} (the termination date). ` +
          (clientEmailed ? 'The client has been emailed.' : 'The client has no contact email and could not be emailed.'),
      );
      res.redirect(303, `/accounts/${number.id}`);
    } catch (err) {
      if (err instanceof RevocationFieldError)
        return rerender({ [err.field]: err.message }, { confirmation: form.data.confirmation, reason: form.data.reason ?? '' });
      throw err;
    }
  }

  @Get('withdraw')
  @Render('revocation/withdraw')
  async confirmWithdraw(@Req() req: HubRequest, @Param('id') id: string) {
    const { number, revocation, countdown } = await this.revocations.openRevocation(member(req), id);
    return { title: `Withdraw revocation of ${number.phoneNumber}`, number, revocation, countdown };
  }

  @Post('withdraw')
  async withdraw(@Req() req: HubRequest, @Res() res: Response, @Param('id') id: string, @Body() body: unknown) {
    parseForm(z.object({}), body);
    const { number, clientEmailed } = await this.revocations.withdraw(member(req), id, req);
    flash(
      req,
      'notice',
      `Revocation of ${number.phoneNumber} withdrawn: you keep paying for this number. ` +
        (clientEmailed ? 'The client has been emailed.' : 'The client has no contact email and could not be emailed.'),
    );
    res.redirect(303, `/accounts/${number.id}`);
  }

  private requestPage(preview: RevocationPreview, errors: FieldErrors, values: Record<string, string>) {
    return { title: `Request revocation of ${preview.number.phoneNumber}`, ...preview, errors, values };
  }
}

function member(req: HubRequest): CurrentMember {
  // The guard let only signed-in owners through.
  return req.member!;
}
