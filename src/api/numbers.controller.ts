import { BadRequestException, Controller, Req } from '@nestjs/common';
import { Type } from '@sinclair/typebox';
import { AccountsService } from '../accounts/accounts.service';
import type { NumberFilter } from '../accounts';
import { Clock } from '../common/clock';
import { RevocationRequests } from '../revocation/revocation-requests.service';
import type { ApiRequest } from './api-key.guard';
import { historyJson, numberDetailJson, numberJson, revocationJson } from './api.presenter';
import { EXAMPLES } from './examples';
import { NUMBER_FILTER_PARAMS, toFilter } from './number-query';
import { ApiProblem } from './problem';
import { ApiEndpoint, ApiInput, defineRoute, Params, type ApiInputOf } from './route';
import { Cursor, HistoryEntry, Id, Limit, NumberDetail, NumberSchema, Page } from './schemas';

export const listNumbers = defineRoute({
  method: 'GET',
  path: '/numbers',
  operationId: 'listNumbers',
  tag: 'Numbers',
  summary: 'List numbers',
  description:
    "The numbers of your partner in the hub, with the same search, filters and sort as the WhatsApp Accounts page. Keyset paged: pass `next_cursor` as `cursor` while `has_more` is true. `provider_id` looks numbers up by the provider's channel ids, as your own records know them.",
  scope: 'read',
  query: Params({
    ...NUMBER_FILTER_PARAMS,
    limit: Type.Optional(Limit(500, 50)),
    cursor: Type.Optional(Cursor),
  }),
  response: Page(NumberSchema),
  examples: { 200: EXAMPLES.numberPage },
});

export const getNumber = defineRoute({
  method: 'GET',
  path: '/numbers/{id}',
  operationId: 'getNumber',
  tag: 'Numbers',
  summary: 'Get a number',
  description: 'Everything the number page shows, with its open revocation if any.',
  scope: 'read',
  params: Params({ id: Id }),
  response: NumberDetail,
  examples: { 200: EXAMPLES.number },
});

export const numberHistory = defineRoute({
  method: 'GET',
  path: '/numbers/{id}/history',
  operationId: 'getNumberHistory',
  tag: 'Numbers',
  summary: "A number's status history",
  description: 'Status changes, newest first: the newest `limit` of them. `has_more` says that older ones were left out.',
  scope: 'read',
  params: Params({ id: Id }),
  query: Params({ limit: Type.Optional(Limit(500, 200)) }),
  response: Type.Object(
    { data: Type.Array(HistoryEntry), has_more: Type.Boolean({ description: 'Older changes were left out: ask for a larger limit.' }) },
    { additionalProperties: false },
  ),
  examples: { 200: EXAMPLES.history },
});

/** The API's numbers: read-only views of what AccountsService reads for the pages. */
@Controller()
export class ApiNumbersController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly revocations: RevocationRequests,
    private readonly clock: Clock,
  ) {}

  @ApiEndpoint(listNumbers)
  async list(@Req() req: ApiRequest, @ApiInput() { query }: ApiInputOf<typeof listNumbers>) {
    const partnerId = req.apiCaller!.partnerId;
    const filter = toFilter(query);
    const page = await this.pageOf(partnerId, filter, query.cursor, query.limit ?? 50);
    const now = this.clock.now();
    return { data: page.numbers.map((n) => numberJson(n, now)), has_more: !!page.next, next_cursor: page.next ?? null };
  }

  @ApiEndpoint(getNumber)
  async show(@Req() req: ApiRequest, @ApiInput() { params }: ApiInputOf<typeof getNumber>) {
    const partnerId = req.apiCaller!.partnerId;
    const number = await this.accounts.findVisible(partnerId, params.id);
    if (!number) throw ApiProblem.notFound();
    // A number the partner pays for has none open: no need to look.
    const revocation = number.billingState === 'partner_paid' ? null : await this.revocations.openFor(partnerId, number.id);
    return numberDetailJson(number, this.clock.now(), revocation && revocationJson(revocation));
  }

  @ApiEndpoint(numberHistory)
  async history(@Req() req: ApiRequest, @ApiInput() { params, query }: ApiInputOf<typeof numberHistory>) {
    const partnerId = req.apiCaller!.partnerId;
    const number = await this.accounts.findVisible(partnerId, params.id);
    if (!number) throw ApiProblem.notFound();
    const limit = query.limit ?? 200;
    const changes = await this.accounts.history(partnerId, number.id, limit + 1);
    return { data: changes.slice(0, limit).map(historyJson), has_more: changes.length > limit };
  }

  /** A cursor this API did not make (edited, or from another sort) is a 422 on `cursor`. */
  private async pageOf(partnerId: string, filter: NumberFilter, cursor: string | undefined, limit: number) {
    try {
      return await this.accounts.fullPageAfterCursor(partnerId, filter, cursor, limit);
    } catch (err) {
      if (err instanceof BadRequestException) {
        throw ApiProblem.invalid([{ field: 'cursor', message: 'Not a cursor of this list and sort. Start again without it.' }]);
      }
      throw err;
    }
  }
}
