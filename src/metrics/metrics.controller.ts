import { timingSafeEqual, createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { Controller, Get, Inject, NotFoundException, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { clientIp } from '../common/http';
import { Public } from '../common/public.decorator';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { MetricsService } from './metrics.service';

/**
 * GET /metrics, Prometheus text format. With METRICS_TOKEN: to whoever sends it as a Bearer;
 * without: to a scraper on this machine only: the connection comes from loopback, and so does
 * the client as TRUSTED_PROXY_HOPS reads it (neither a proxy on this machine forwarding someone
 * else, nor a remote client writing X-Forwarded-For: 127.0.0.1). Anyone else gets the ordinary
 * 404 page: the route is not revealed.
 */
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get('metrics')
  async scrape(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<string> {
    if (!this.allowed(req)) throw new NotFoundException();
    // The registry names its format (Prometheus text or OpenMetrics): only the type is set here.
    const { contentType, text } = await this.metrics.render();
    res.type(contentType);
    return text;
  }

  private allowed(req: Request): boolean {
    const token = this.config.metrics.token;
    if (token) return sameSecret(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '', token);
    return isLoopback(req.socket.remoteAddress ?? '') && isLoopback(clientIp(req));
  }
}

/** Constant-time: hashes first, so neither the content nor the length leaks through timing. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function isLoopback(ip: string): boolean {
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return ip === '::1';
}
