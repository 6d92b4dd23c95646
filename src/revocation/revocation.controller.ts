import { Body, Controller, Get, Param, Post, Query, Redirect, Render, Req } from '@nestjs/common';
import { z } from 'zod';
import { phoneView, wayBack } from '../accounts';
import type { WhatsappNumber } from '../accounts/entities/whatsapp-number.entity';
import { terminationDay } from './revocation.presenter';
import { flash } from '../common/flash';
import { FormInvalid } from '../common/form-invalid';
import { parseForm, type FieldErrors } from '../common/forms';
import { originOf, type CurrentMember, type HubRequest } from '../common/http';
import { OwnerOnly } from '../common/public.decorator';
import type { Revocation } from './entities/revocation.entity';
import { RevocationConflict, RevocationFieldError } from './revocation.errors';
import { MAX_REASON_LENGTH, RevocationRequests, type RevocationPreview } from './revocation-requests.service';

const requestForm = z.object({
  confirmation: z.string().max(64, 'Type the phone number shown above (spaces, dashes and the + do not matter).'),
  reason: z.string().trim().max(MAX_REASON_LENGTH, `The reason must be at most ${MAX_REASON_LENGTH} characters.`).optional(),
});

/**
 * Request and withdraw payment revocation of one number (the Danger Zone of its details
 * page). Owners only: members get 403 and nothing changes; another partner's number is 404.
 * The pages carry the details page's `back` (the list it was opened from) on to the number.
 */
@Controller('accounts/:id/revocation')
@OwnerOnly()
export class RevocationController {
  constructor(private readonly requests: RevocationRequests) {}

  @Get('new')
  @Render('revocation/new')
  new(@Req() req: HubRequest, @Param('id') id: string, @Query('back') back: unknown) {
    return this.unlessRefused(req, id, back, async () => requestPage(await this.requests.preview(member(req), id), back, {}, {}));
  }

  @Post()
  @Redirect('/accounts', 303)
  create(@Req() req: HubRequest, @Param('id') id: string, @Query('back') back: unknown, @Body() body: unknown) {
    return this.unlessRefused(req, id, back, () => this.requested(req, id, back, body));
  }

  private async requested(req: HubRequest, id: string, back: unknown, body: unknown) {
    const form = parseForm(requestForm, body);
    if (!form.ok)
      throw new FormInvalid('revocation/new', requestPage(await this.requests.preview(member(req), id), back, form.errors, form.values));
    try {
      const { revocation, number, clientEmailed } = await this.requests.request(member(req), id, form.data, originOf(req));
      flash(
        req,
        'notice',
        // The termination date is a day of the contract's zone: named as the pages name it.
        `Revocation requested for ${phoneView(number.phoneNumber).formatted}: you are billed until the end of ${terminationDay(revocation)}, the termination date. ` +
          (clientEmailed ? 'The client has been emailed.' : 'The client has no contact email and could not be emailed.'),
      );
      return { url: backTo(number, back).numberHref };
    } catch (err) {
      if (!(err instanceof RevocationFieldError)) throw err;
      const values = { confirmation: form.data.confirmation, reason: form.data.reason ?? '' };
      throw new FormInvalid(
        'revocation/new',
        requestPage(await this.requests.preview(member(req), id), back, { [err.field]: err.message }, values),
      );
    }
  }

  @Get('withdraw')
  @Render('revocation/withdraw')
  confirmWithdraw(@Req() req: HubRequest, @Param('id') id: string, @Query('back') back: unknown) {
    return this.unlessRefused(req, id, back, async () => {
      const { number, revocation, countdown } = await this.requests.openRevocation(member(req), id);
      const phone = phoneView(number.phoneNumber).formatted;
      return { title: `Withdraw revocation of ${phone}`, number, phone, revocation, countdown, breadcrumb: backTo(number, back) };
    });
  }

  @Post('withdraw')
  @Redirect('/accounts', 303)
  withdraw(@Req() req: HubRequest, @Param('id') id: string, @Query('back') back: unknown, @Body() body: unknown) {
    parseForm(z.object({}), body);
    return this.unlessRefused(req, id, back, async () => {
      const { number, clientEmailed } = await this.requests.withdraw(member(req), id, originOf(req));
      flash(
        req,
        'notice',
        `Revocation of ${phoneView(number.phoneNumber).formatted} withdrawn: you keep paying for this number. ` +
          (clientEmailed ? 'The client has been emailed.' : 'The client has no contact email and could not be emailed.'),
      );
      return { url: backTo(number, back).numberHref };
    });
  }

  /**
   * Runs a page's work; when the number's state refuses it (requested twice, withdrawn in another
   * tab, too late), a page that says what the revocation is now, with the way back to the number (409).
   */
  private async unlessRefused<T>(req: HubRequest, id: string, back: unknown, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof RevocationConflict)) throw err;
      const { number, open, lastWithdrawn } = await this.requests.standing(member(req).partnerId, id);
      throw new FormInvalid(
        'revocation/refused',
        { ...refusedPage(err, number, open, lastWithdrawn), breadcrumb: backTo(number, back), values: {}, errors: {} },
        409,
      );
    }
  }
}

/** What a refusal says, by what the number's revocation is now; the refusal's own sentence when nothing says more. */
function refusedPage(err: RevocationConflict, number: WhatsappNumber, open: Revocation | null, lastWithdrawn: Revocation | null) {
  const phone = phoneView(number.phoneNumber).formatted;
  const page = { number, phone, message: err.message };
  if (err.code === 'revocation.already_requested' && open && number.billingState === 'revocation_requested')
    return { ...page, title: 'Revocation already requested', kind: 'requested', revocation: open };
  if (err.code === 'revocation.not_requested' && lastWithdrawn && number.billingState === 'partner_paid')
    return { ...page, title: 'Revocation already withdrawn', kind: 'withdrawn', revocation: lastWithdrawn };
  if (err.code === 'revocation.too_late' && open) return { ...page, title: 'Too late to withdraw', kind: 'too_late', revocation: open };
  return { ...page, title: 'This was not changed' };
}

function requestPage(preview: RevocationPreview, back: unknown, errors: FieldErrors, values: Record<string, string>) {
  const phone = phoneView(preview.number.phoneNumber).formatted;
  return { title: `Request revocation of ${phone}`, ...preview, phone, breadcrumb: backTo(preview.number, back), errors, values };
}

/** The way back to the number, and from it to the list it was opened from. */
const backTo = (number: WhatsappNumber, back: unknown) => wayBack(back, { id: number.id, clientId: number.client.id });

function member(req: HubRequest): CurrentMember {
  // The guard let only signed-in owners through.
  return req.member!;
}
