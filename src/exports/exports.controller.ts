import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { parseNumberFilter } from '../accounts';
import type { HubRequest } from '../common/http';
import { badBomParameter } from './exports.errors';
import { ExportsService } from './exports.service';

/** GET /accounts/export.csv: the list's search and filters as a streamed CSV file. */
@Controller()
export class ExportsController {
  constructor(private readonly exports: ExportsService) {}

  @Get('accounts/export.csv')
  async download(@Req() req: HubRequest, @Res() res: Response, @Query() query: Record<string, unknown>): Promise<void> {
    const filter = parseNumberFilter(query);
    if (query.bom !== undefined && query.bom !== '0' && query.bom !== '1') throw badBomParameter();
    // The global guard has already sent a signed-out visitor to /login.
    await this.exports.download(req.member!, filter, query.bom !== '0', req, res);
  }
}
