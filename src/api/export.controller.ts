import { Controller, Req, Res } from '@nestjs/common';
import { Type } from '@sinclair/typebox';
import type { Response } from 'express';
import { formatInstant } from '../common/time-zones';
import { formatCount } from '../common/view-helpers';
import { ExportLimitReached } from '../exports/exports.errors';
import { ExportsService } from '../exports/exports.service';
import { PartnersService } from '../partners/partners.service';
import type { ApiRequest } from './api-key.guard';
import { EXAMPLES } from './examples';
import { keyActor } from './key-actor';
import { NUMBER_FILTER_PARAMS, toFilter } from './number-query';
import { ApiProblem } from './problem';
import { ApiEndpoint, ApiInput, defineRoute, Params, type ApiInputOf } from './route';

export const exportNumbers = defineRoute({
  method: 'GET',
  path: '/numbers/export.csv',
  operationId: 'exportNumbers',
  tag: 'Numbers',
  summary: 'Download numbers as CSV',
  description:
    'The CSV file of the WhatsApp Accounts page, byte for byte, with the same search, filters and sort as `GET /numbers`: every matching ' +
    'number, streamed. Downloads spend a budget of rows per hour (EXPORT_ROWS_PER_HOUR), as on the page, counted for each key: ' +
    'a file that does not fit is a 429 with Retry-After.',
  scope: 'read',
  query: Params({
    ...NUMBER_FILTER_PARAMS,
    bom: Type.Optional(
      Type.Boolean({
        description: 'A UTF-8 byte order mark first, for spreadsheet programs (default true, as the page).',
        examples: [false],
      }),
    ),
  }),
  errors: {
    429:
      'The key’s rate limit was reached, or the file holds more rows than the key’s downloads of the last hour leave (EXPORT_ROWS_PER_HOUR); ' +
      'Retry-After says when to come back.',
  },
  errorExamples: {
    429: [
      ApiProblem.rateLimited(12),
      new ExportLimitReached(1_260, {
        used: formatCount(990_000),
        perHour: formatCount(1_000_000),
        rows: formatCount(48_356),
        at: formatInstant(new Date('2026-11-30T10:21:00Z'), 'Europe/Berlin'),
      }),
    ],
  },
  mediaType: 'text/csv',
  response: Type.String({ description: 'RFC 4180 CSV, UTF-8, CRLF line ends, a header row first.' }),
  examples: { 200: EXAMPLES.csv },
});

/** The numbers' CSV download of ExportsService, for a key instead of a person. */
@Controller()
export class ApiExportController {
  constructor(
    private readonly exports: ExportsService,
    private readonly partners: PartnersService,
  ) {}

  @ApiEndpoint(exportNumbers)
  async csv(@Req() req: ApiRequest, @Res() res: Response, @ApiInput() { query }: ApiInputOf<typeof exportNumbers>): Promise<void> {
    const caller = req.apiCaller!;
    // Its keys go with a partner that is deleted: this is a race lost, not a state.
    const partner = await this.partners.findByIdOrSlug(caller.partnerId);
    if (!partner) throw ApiProblem.notFound();
    const who = { partnerId: partner.id, partnerSlug: partner.slug, timeZone: partner.terms.billingTimeZone, actor: keyActor(caller) };
    await this.exports.downloadAs(who, toFilter(query), { format: 'csv', bom: query.bom ?? true }, req, res);
  }
}
