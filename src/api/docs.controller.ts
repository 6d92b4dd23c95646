import { dirname, join, resolve } from 'node:path';
import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../common/public.decorator';
import { OpenApiService } from './openapi.service';

/** The project folder, from src/api under a test runner or dist/src/api when built. */
const ROOT = resolve(__dirname, __filename.endsWith('.js') ? '../../..' : '../..');
const SWAGGER_UI = dirname(require.resolve('swagger-ui-dist/package.json'));

/**
 * The OpenAPI document and the reference docs (the operator API's too): swagger-ui's own files
 * from node_modules (no CDN) and a stylesheet of ours after its own, started by a script file of
 * ours rather than swagger-ui's inline one, so the site's CSP (script-src 'self') holds here too.
 * Public: they describe the API, they open nothing.
 */
@Public()
@Controller('api')
export class ApiDocsController {
  constructor(private readonly openapi: OpenApiService) {}

  @Get('v1/openapi.json')
  document() {
    return this.openapi.get();
  }

  /** The partners' reference and the operator API's: one page, drawing the document of its API (docs-init.js). */
  @Get(['docs', 'operator/docs'])
  page(@Res() res: Response) {
    res.type('html').sendFile(join(ROOT, 'views/api/docs.html'));
  }

  @Get('docs/init.js')
  init(@Res() res: Response) {
    res.type('application/javascript').sendFile(join(ROOT, 'views/api/docs-init.js'));
  }

  @Get('docs/docs.css')
  ownCss(@Res() res: Response) {
    res.type('text/css').sendFile(join(ROOT, 'views/api/docs.css'));
  }

  @Get('docs/swagger-ui.css')
  css(@Res() res: Response) {
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.type('text/css').sendFile(join(SWAGGER_UI, 'swagger-ui.css'));
  }

  @Get('docs/swagger-ui-bundle.js')
  bundle(@Res() res: Response) {
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.type('application/javascript').sendFile(join(SWAGGER_UI, 'swagger-ui-bundle.js'));
  }
}
