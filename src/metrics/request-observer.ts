import type { NextFunction, Request, Response } from 'express';
import type { HubRequest } from '../common/http';
import type { Logger } from '../common/logger';
import type { MetricsService } from './metrics.service';

/**
 * One latency observation and, with `logger` (ACCESS_LOG), one JSON access-log line per
 * request, when its response closes (finished, or aborted by the client). The route is the
 * pattern (`/accounts/:id`), so ids make neither log fields nor metric labels explode; a request
 * no route matched logs its path (no query string: it may hold a token; the logger scrubs token
 * links) and counts as `unmatched`. Nothing from headers, cookies or bodies.
 */
export function observeRequests(metrics: MetricsService, logger: Logger | undefined) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = performance.now();
    const bytesBefore = req.socket?.bytesWritten ?? 0;
    res.once('close', () => {
      const ms = performance.now() - started;
      const finished = res.writableFinished;
      const pattern = (req.route as { path?: string } | undefined)?.path;
      // A wildcard (Nest's not-found route, `/{*all}`) matches anything: that is no route.
      const route = pattern === undefined || pattern.includes('*') ? undefined : `${req.baseUrl}${pattern}`;
      const status = finished ? res.statusCode : undefined;
      metrics.observeRequest(req.method, route ?? (req.path.startsWith('/public/') ? '/public/*' : 'unmatched'), status, ms / 1000);
      if (!logger) return;
      const { id, member } = req as HubRequest;
      logger.info(
        {
          event: 'http.request',
          method: req.method,
          route: route ?? null,
          ...(route === undefined ? { path: req.path } : {}),
          status: res.statusCode,
          ...(finished ? {} : { aborted: true }),
          ms: Math.round(ms * 10) / 10,
          bytes: (req.socket?.bytesWritten ?? bytesBefore) - bytesBefore,
          requestId: id,
          partnerId: member?.partnerId ?? null,
          userId: member?.userId ?? null,
        },
        'request',
      );
    });
    next();
  };
}
