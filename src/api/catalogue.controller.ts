import { Controller, Req } from '@nestjs/common';
import { Type } from '@sinclair/typebox';
import { AccountsService } from '../accounts/accounts.service';
import { FAMILY_KEYS, familyValues } from '../statuses';
import type { ApiRequest } from './api-key.guard';
import { clientDetailJson, clientJson, statusCatalogueJson, summaryJson } from './api.presenter';
import { EXAMPLES } from './examples';
import { ApiProblem } from './problem';
import { ApiEndpoint, ApiInput, defineRoute, Params, type ApiInputOf } from './route';
import { apiFamily, Client, ClientDetail, Cursor, Id, Limit, OneOf, Page } from './schemas';

export const listClients = defineRoute({
  method: 'GET',
  path: '/clients',
  operationId: 'listClients',
  tag: 'Clients',
  summary: 'List clients',
  description: 'Your clients by name. Keyset paged like the numbers.',
  scope: 'read',
  query: Params({ limit: Type.Optional(Limit(500, 50)), cursor: Type.Optional(Cursor) }),
  response: Page(Client),
  examples: { 200: EXAMPLES.clientPage },
});

export const getClient = defineRoute({
  method: 'GET',
  path: '/clients/{id}',
  operationId: 'getClient',
  tag: 'Clients',
  summary: 'Get a client',
  description: 'The client with its WABA accounts and how many of their numbers are in the hub.',
  scope: 'read',
  params: Params({ id: Id }),
  response: ClientDetail,
  examples: { 200: EXAMPLES.client },
});

export const getSummary = defineRoute({
  method: 'GET',
  path: '/summary',
  operationId: 'getSummary',
  tag: 'Numbers',
  summary: 'Counts of your numbers',
  description: 'How many numbers are in the hub, per number status, and how many need attention (as last counted).',
  scope: 'read',
  response: Type.Object(
    {
      total: Type.Integer({ minimum: 0 }),
      attention: Type.Integer({ minimum: 0 }),
      by_status: Type.Array(
        Type.Object(
          { code: OneOf(familyValues('lifecycle')), label: Type.String(), count: Type.Integer({ minimum: 0 }) },
          { additionalProperties: false },
        ),
      ),
    },
    { additionalProperties: false },
  ),
  examples: { 200: EXAMPLES.summary },
});

const StatusDefinition = Type.Object(
  {
    code: Type.String(),
    label: Type.String(),
    meaning: Type.String(),
    next_step: Type.String(),
    needs_attention: Type.Boolean(),
    pending: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const listStatuses = defineRoute({
  method: 'GET',
  path: '/statuses',
  operationId: 'listStatuses',
  tag: 'Statuses',
  summary: 'The status catalogue',
  description: 'Every status family and status, with what it means and what to do: the Account statuses page as data.',
  scope: 'read',
  response: Type.Object(
    {
      data: Type.Array(
        Type.Object(
          {
            family: OneOf(FAMILY_KEYS.map(apiFamily)),
            label: Type.String(),
            description: Type.String(),
            statuses: Type.Array(StatusDefinition),
          },
          { additionalProperties: false },
        ),
      ),
    },
    { additionalProperties: false },
  ),
  examples: { 200: EXAMPLES.statuses },
});

/** The API's clients, summary and status catalogue. */
@Controller()
export class ApiCatalogueController {
  constructor(private readonly accounts: AccountsService) {}

  @ApiEndpoint(listClients)
  async clients(@Req() req: ApiRequest, @ApiInput() { query }: ApiInputOf<typeof listClients>) {
    const limit = query.limit ?? 50;
    const after = query.cursor === undefined ? undefined : decodeClientCursor(query.cursor);
    const rows = await this.accounts.clientPage(req.apiCaller!.partnerId, after, limit + 1);
    const data = rows.slice(0, limit);
    const last = data[data.length - 1];
    const hasMore = rows.length > limit;
    return { data: data.map(clientJson), has_more: hasMore, next_cursor: hasMore ? encodeClientCursor(last) : null };
  }

  @ApiEndpoint(getClient)
  async client(@Req() req: ApiRequest, @ApiInput() { params }: ApiInputOf<typeof getClient>) {
    const partnerId = req.apiCaller!.partnerId;
    const client = await this.accounts.client(partnerId, params.id);
    if (!client) throw ApiProblem.notFound();
    return clientDetailJson(client, await this.accounts.clientWabas(partnerId, client.id));
  }

  @ApiEndpoint(getSummary)
  async summary(@Req() req: ApiRequest) {
    return summaryJson(await this.accounts.summary(req.apiCaller!.partnerId));
  }

  @ApiEndpoint(listStatuses)
  statuses() {
    return statusCatalogueJson();
  }
}

/** A clients cursor: base64url JSON of the last name and id. Anything else is a 422 on `cursor`. */
function encodeClientCursor(row: { name: string; id: string }): string {
  return Buffer.from(JSON.stringify([row.name, row.id])).toString('base64url');
}

function decodeClientCursor(value: string): { name: string; id: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      parsed[0].length <= 300 &&
      !parsed[0].includes('\u0000') &&
      /^[A-Za-z0-9_-]{22}$/.test(String(parsed[1]))
    ) {
      return { name: parsed[0], id: parsed[1] as string };
    }
  } catch {
    // not JSON: refused below
  }
  throw ApiProblem.invalid([{ field: 'cursor', message: 'Not a cursor of this list. Start again without it.' }]);
}
