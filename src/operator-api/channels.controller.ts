import { Controller, Inject, Req } from '@nestjs/common';
import { Type } from '@sinclair/typebox';
import { AccountsImportService, type ImportResult } from '../accounts';
import { ApiProblem } from '../api';
import { LOGGER, type Logger } from '../common/logger';
import { formatCount } from '../common/view-helpers';
import { PartnersService } from '../partners/partners.service';
import type { OperatorRequest } from './operator-key.guard';
import { defineOperatorRoute, OperatorEndpoint, OperatorInput, type OperatorInputOf } from './operator-route';

/** At most this many records per request: larger loads go in batches. */
export const MAX_RECORDS = 1_000;

const Count = (description: string) => Type.Integer({ minimum: 0, description });

/** One channel as the provider's Partner API lists it; an example, not a contract: accounts:import's checks decide. */
const EXAMPLE_CHANNEL = {
  id: 'a1b2CH',
  external_id: '109876543210',
  status: 'running',
  account_mode: 'live',
  created_at: '2026-03-02T09:15:00Z',
  client: { id: 'c3d4CL', name: 'Acme Retail GmbH', consent_status: 'granted', contact_info: { email: 'ops@acme.example' } },
  waba_account: {
    id: 'e5f6WA',
    external_id: '2233445566',
    namespace: '1234_abcd_12ab',
    timezone_id: '47',
    status: 'approved',
    fb_account_status: 'verified',
    on_behalf_of_business_info: { status: 'approved' },
  },
  setup_info: { phone_number: '+4915123456789', phone_name: 'Acme Support', ivr: false, verification_method: 'sms' },
  number_registration: 'registered',
  current_quality_rating: 'green',
  current_limit: 'tier_1k',
};

/** A load of 1,000 records with one refused, as the import counts it: the document's examples. */
const EXAMPLE_LOAD: ImportResult = {
  format: 'json',
  records: 1_000,
  invalid: 1,
  problems: [{ position: 'record 2 (partner_channels[1])', reason: 'setup_info.phone_number is missing' }],
  written: true,
  created: 12,
  updated: 3,
  unchanged: 984,
  statusChanges: 4,
};

export const putChannels = defineOperatorRoute({
  method: 'PUT',
  path: '/partners/{partner}/channels',
  operationId: 'putPartnerChannels',
  tag: 'Ingestion',
  summary: "Load a partner's channels",
  description:
    "Does with the records what `accounts:import` does with a JSON file: the same checks and messages per record, keyed by the provider's ids " +
    '(a repeat changes nothing), every status change in the number’s history. With any invalid record nothing is written (422 listing them) ' +
    `unless skip_invalid=true. At most ${formatCount(MAX_RECORDS)} records and 10 MB per request.`,
  params: Type.Object(
    {
      partner: Type.String({
        pattern: '^[A-Za-z0-9_-]{1,80}$',
        description: "The partner's hub id or slug, as partner:create printed them.",
        examples: ['acme-retail'],
      }),
    },
    { additionalProperties: false },
  ),
  query: Type.Object(
    {
      skip_invalid: Type.Optional(
        Type.Boolean({ default: false, description: 'Write the valid records and report the invalid ones, instead of writing nothing.' }),
      ),
    },
    { additionalProperties: false },
  ),
  body: Type.Object(
    {
      partner_channels: Type.Array(
        Type.Unknown({
          description:
            "One channel in the provider's Partner API form. Each is checked as accounts:import checks a record: an invalid one is refused with its position and reason, not by this schema.",
          examples: [EXAMPLE_CHANNEL],
        }),
        { maxItems: MAX_RECORDS },
      ),
    },
    { additionalProperties: false, description: "The provider's partner_channels list, as accounts:import reads it from a file." },
  ),
  response: Type.Object(
    {
      records: Count('How many records the request held.'),
      created: Count('Numbers new to the hub.'),
      updated: Count('Numbers with a change.'),
      unchanged: Count('Numbers as they were.'),
      refused: Count('Invalid records, skipped (skip_invalid=true).'),
      status_changes: Count('Status changes written to the numbers’ history.'),
      problems: Type.Array(
        Type.Object(
          {
            position: Type.String({ examples: ['record 2 (partner_channels[1])'] }),
            reason: Type.String({ examples: ['setup_info.phone_number is missing'] }),
          },
          { additionalProperties: false },
        ),
        { description: 'The refused records, as accounts:import reports them.' },
      ),
    },
    { additionalProperties: false },
  ),
  examples: {
    body: { partner_channels: [EXAMPLE_CHANNEL] },
    response: answerOf(EXAMPLE_LOAD),
    errors: { '404': [unknownPartner()], '422': [invalidRecords({ ...EXAMPLE_LOAD, written: false })] },
  },
  errors: {
    '400': 'The body is not JSON.',
    '401': 'Missing, unknown, expired or revoked operator key, or a partner’s API key (WWW-Authenticate: Bearer).',
    '404': 'No partner with this id or slug.',
    '413': 'The body is larger than 10 MB.',
    '415': 'The body is not sent as JSON (Content-Type: application/json).',
    '422':
      'Invalid or unknown parameters or fields (a NUL character in the query too), a field given twice; or invalid records without skip_invalid=true, nothing written: `errors` lists each as accounts:import prints it (a record with a NUL character is one).',
    '503': 'The database was too busy to answer in time; nothing was written. Retry-After says when to send the batch again.',
  },
});

/** The provider loads a partner's channels over HTTP, through the import that accounts:import runs. */
@Controller()
export class OperatorChannelsController {
  constructor(
    private readonly imports: AccountsImportService,
    private readonly partners: PartnersService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @OperatorEndpoint(putChannels)
  async put(@Req() req: OperatorRequest, @OperatorInput(putChannels) { params, query, body }: OperatorInputOf<typeof putChannels>) {
    const partner = await this.partners.findByIdOrSlug(params.partner);
    if (!partner) throw unknownPartner();
    const result = await this.imports.importChannels(partner.id, body.partner_channels, { skipInvalid: query.skip_invalid ?? false });
    this.logger.info(
      {
        event: 'operator.channels_imported',
        requestId: req.id,
        operatorKeyId: req.operator!.id,
        partnerId: partner.id,
        records: result.records,
        refused: result.invalid,
        written: result.written,
      },
      'operator channels import',
    );
    if (!result.written) throw invalidRecords(result);
    return answerOf(result);
  }
}

/** The answer of a load that wrote: the import's counts, and the records it refused (skip_invalid=true). */
function answerOf(result: ImportResult) {
  return {
    records: result.records,
    created: result.created,
    updated: result.updated,
    unchanged: result.unchanged,
    refused: result.invalid,
    status_changes: result.statusChanges,
    problems: result.problems,
  };
}

function unknownPartner(): ApiProblem {
  return ApiProblem.notFound('There is no partner with this id or slug.');
}

/** Invalid records and no skip_invalid: nothing written; each record's problem as the command prints it. */
function invalidRecords(result: ImportResult): ApiProblem {
  return new ApiProblem(
    422,
    'invalid-records',
    'Some records are not valid',
    `${formatCount(result.invalid)} of ${formatCount(result.records)} records are invalid: nothing was written. Fix them, or send skip_invalid=true to import the others.`,
    result.problems.map((p) => ({ field: 'body.partner_channels', message: `${p.position}: ${p.reason}` })),
  );
}
