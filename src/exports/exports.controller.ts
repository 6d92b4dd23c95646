import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { parseNumberFilter } from '../accounts';
import type { HubRequest } from '../common/http';
import { badBomParameter, crossSiteDownload } from './exports.errors';
import { ExportsService } from './exports.service';

/**
 * GET /accounts/export.csv and /accounts/export.xlsx: the list's search, filters and sort as a
 * streamed file. The global guard has already sent a signed-out visitor to /login.
 */
@Controller()
export class ExportsController {
  constructor(private readonly exports: ExportsService) {}

  @Get('accounts/export.csv')
  async csv(@Req() req: HubRequest, @Res() res: Response, @Query() query: Record<string, unknown>): Promise<void> {
    refuseCrossSite(req);
    const filter = parseNumberFilter(query);
    if (query.bom !== undefined && query.bom !== '0' && query.bom !== '1') throw badBomParameter();
    await this.exports.download(req.member!, filter, { format: 'csv', bom: query.bom !== '0' }, req, res);
  }

  @Get('accounts/export.xlsx')
  async xlsx(@Req() req: HubRequest, @Res() res: Response, @Query() query: Record<string, unknown>): Promise<void> {
    refuseCrossSite(req);
    // A workbook has no byte order mark: `bom=` (a CSV link edited) is read and ignored.
    await this.exports.download(req.member!, parseNumberFilter(query), { format: 'xlsx' }, req, res);
  }
}

/**
 * A download link on another site would spend the person's rows (and could be made to fetch
 * the file in their session): the browser says where the navigation came from.
 */
function refuseCrossSite(req: HubRequest): void {
  if (req.headers['sec-fetch-site'] === 'cross-site') throw crossSiteDownload();
}
