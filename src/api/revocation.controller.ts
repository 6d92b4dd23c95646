import { Controller, NotFoundException, Req, Res } from '@nestjs/common';
import { Type } from '@sinclair/typebox';
import type { Response } from 'express';
import { Clock } from '../common/clock';
import { addDays } from '../common/dates';
import { originOf } from '../common/http';
import { RevocationConflict, RevocationErrors, RevocationFieldError } from '../revocation/revocation.errors';
import { MAX_REASON_LENGTH, RevocationRequests, revocationReason, type RevocationActor } from '../revocation/revocation-requests.service';
import type { ApiRequest } from './api-key.guard';
import { revocationJson } from './api.presenter';
import { EXAMPLES } from './examples';
import { IdempotencyService } from './idempotency.service';
import { keyActor } from './key-actor';
import { ApiProblem } from './problem';
import { ApiEndpoint, ApiInput, defineRoute, Params, type ApiInputOf } from './route';
import { Id, LocalDate, RevocationRequested, RevocationWithdrawn } from './schemas';

const CONFLICT =
  "The number's state does not allow it (revocation already requested, not requested, billing ended, removed, too late to withdraw), " +
  'the termination date is not the one sent, or a request with this Idempotency-Key is still running (Retry-After). Nothing was done.';
const INVALID =
  'Invalid or unknown fields (`errors` lists them), or an Idempotency-Key already used for another request. Nothing was done.';

/** The open revocation the conflicts' examples name. */
const EXAMPLE_TERMINATION = { terminationDate: '2026-12-31', billingTimeZone: 'Europe/Berlin' };

export const requestRevocation = defineRoute({
  method: 'POST',
  path: '/numbers/{id}/revocation',
  operationId: 'requestRevocation',
  tag: 'Revocation',
  summary: 'Request payment revocation of a number',
  description:
    'What the Request revocation page does: billing to your partner ends at the end of the termination date your contract gives, ' +
    'the client is emailed, the number leaves the hub after the grace period; the status history and Activity record it. ' +
    'The termination date cannot be chosen: send `dry_run: true` first to get it, then send it as `termination_date` ' +
    '(the page shows it before you confirm): if a request made then would terminate on another day, nothing is done (409).',
  scope: 'read_write',
  idempotent: true,
  params: Params({ id: Id }),
  body: Params({
    termination_date: Type.Optional(LocalDate('The termination date you expect, as a dry run answered it.')),
    reason: Type.Optional(
      Type.String({ maxLength: MAX_REASON_LENGTH, description: "For your team's Activity log; not sent to the client." }),
    ),
    dry_run: Type.Optional(Type.Boolean({ description: 'Answer what a request now would do, and do nothing.' })),
  }),
  successes: {
    200: 'A dry run: what a request made now would do. Nothing was done.',
    201: 'Revocation requested.',
  },
  errors: { 409: CONFLICT, 422: INVALID },
  errorExamples: {
    409: [
      RevocationErrors.alreadyRequested(EXAMPLE_TERMINATION),
      RevocationErrors.terminationDateMoved('2027-01-31', '2026-12-31'),
      RevocationErrors.billingEnded(),
      RevocationErrors.removed(),
      ApiProblem.idempotencyKeyInUse(),
    ].map(problemOfRevocation),
  },
  response: RevocationRequested,
  bodyExamples: {
    'dry-run': { summary: 'First a dry run: the dates, nothing done', value: { dry_run: true } },
    request: {
      summary: 'Then the request, with the dry run’s date',
      value: { termination_date: EXAMPLES.revocationPreview.revocation.termination_date, reason: 'The client moved to another provider.' },
    },
  },
  examples: { 200: EXAMPLES.revocationPreview, 201: EXAMPLES.revocationRequested },
});

export const withdrawRevocation = defineRoute({
  method: 'DELETE',
  path: '/numbers/{id}/revocation',
  operationId: 'withdrawRevocation',
  tag: 'Revocation',
  summary: 'Withdraw the revocation request of a number',
  description:
    'What the Withdraw revocation page does, until the termination date ends: your partner pays for the number again and the client is emailed.',
  scope: 'read_write',
  idempotent: true,
  params: Params({ id: Id }),
  errors: { 409: CONFLICT, 422: INVALID },
  errorExamples: {
    409: [RevocationErrors.notRequested(), RevocationErrors.tooLateToWithdraw(EXAMPLE_TERMINATION), ApiProblem.idempotencyKeyInUse()].map(
      problemOfRevocation,
    ),
  },
  response: RevocationWithdrawn,
  examples: { 200: EXAMPLES.revocationWithdrawn },
});

/**
 * Payment revocation through the API: RevocationRequests does what the pages do (emails,
 * history, Activity, which names the key), once per Idempotency-Key (IdempotencyService).
 */
@Controller()
export class ApiRevocationController {
  constructor(
    private readonly requests: RevocationRequests,
    private readonly idempotency: IdempotencyService,
    private readonly clock: Clock,
  ) {}

  @ApiEndpoint(requestRevocation)
  async request(@Req() req: ApiRequest, @Res() res: Response, @ApiInput() { params, body }: ApiInputOf<typeof requestRevocation>) {
    // A date that does not exist is refused like any invalid field: before the key is used.
    if (body.termination_date !== undefined && addDays(body.termination_date, 0) !== body.termination_date) {
      throw ApiProblem.invalid([{ field: 'body.termination_date', message: 'Not a date of the calendar: use YYYY-MM-DD.' }]);
    }
    const by = actorOfKey(req);
    await this.idempotency.answer(req, res, body, () =>
      asProblem(async () => {
        if (body.dry_run) {
          const preview = await this.requests.previewFor(by.partnerId, params.id, body.termination_date);
          const revocation = {
            requestedAt: this.clock.now(),
            ...preview.schedule,
            billingTimeZone: preview.terms.billingTimeZone,
            reason: revocationReason(body.reason),
          };
          const answer = {
            number_id: preview.number.id,
            number_provider_id: preview.number.providerId,
            dry_run: true,
            revocation: revocationJson(revocation),
            client_emailed: !!preview.contactEmail,
          };
          return { status: 200, body: answer };
        }
        const change = await this.requests.requestAs(
          by,
          params.id,
          { reason: body.reason, terminationDate: body.termination_date },
          originOf(req),
        );
        const answer = {
          number_id: change.number.id,
          number_provider_id: change.number.providerId,
          dry_run: false,
          revocation: revocationJson(change.revocation),
          client_emailed: change.clientEmailed,
        };
        return { status: 201, body: answer };
      }),
    );
  }

  @ApiEndpoint(withdrawRevocation)
  async withdraw(@Req() req: ApiRequest, @Res() res: Response, @ApiInput() { params, body }: ApiInputOf<typeof withdrawRevocation>) {
    const by = actorOfKey(req);
    await this.idempotency.answer(req, res, body, () =>
      asProblem(async () => {
        const change = await this.requests.withdrawAs(by, params.id, originOf(req));
        const answer = {
          number_id: change.number.id,
          number_provider_id: change.number.providerId,
          withdrawn_at: change.at.toISOString(),
          termination_date: change.revocation.terminationDate,
          client_emailed: change.clientEmailed,
        };
        return { status: 200, body: answer };
      }),
    );
  }
}

function actorOfKey(req: ApiRequest): RevocationActor {
  const caller = req.apiCaller!;
  return { partnerId: caller.partnerId, userId: null, actor: keyActor(caller) };
}

/** Revocation's refusals as the API's problems: what the pages say, with the field at fault. */
async function asProblem<T>(act: () => Promise<T>): Promise<T> {
  try {
    return await act();
  } catch (err) {
    throw problemOfRevocation(err);
  }
}

/** A refusal of the revocation service as the API answers it; anything else as it is. */
function problemOfRevocation(err: unknown): unknown {
  if (err instanceof NotFoundException) return ApiProblem.notFound();
  if (err instanceof RevocationFieldError) return ApiProblem.invalid([{ field: `body.${err.field}`, message: err.message }]);
  if (err instanceof RevocationConflict) {
    const field = err.code === 'revocation.termination_date' ? [{ field: 'body.termination_date', message: err.message }] : undefined;
    return new ApiProblem(409, err.code.replace(/[._]/g, '-'), 'Conflict', err.message, field);
  }
  return err;
}
