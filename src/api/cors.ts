import cors from 'cors';
import type { RequestHandler } from 'express';

/**
 * The Partner API called from a browser, by the pages of `origins` only (API_CORS_ORIGINS):
 * exact origins, the key in the Authorization header and never a cookie (no credentials). The
 * preflight of those origins is answered here, before the key check; the API's own headers are
 * readable. A request from any other origin, or none, passes by untouched: its preflight is a
 * request without a key (401), as when no origin is configured.
 */
export function apiCors(origins: string[]): RequestHandler {
  const allowed = new Set(origins);
  const handler = cors({
    origin: origins,
    methods: ['GET', 'HEAD', 'POST', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
    exposedHeaders: [
      'X-RateLimit-Limit',
      'X-RateLimit-Remaining',
      'X-RateLimit-Reset',
      'Retry-After',
      'Idempotent-Replayed',
      'WWW-Authenticate',
      'X-Request-Id',
      'Content-Disposition',
      'Allow',
    ],
    credentials: false,
    maxAge: 600,
  });
  return (req, res, next) => {
    const origin = req.get('Origin');
    if (origin === undefined || !allowed.has(origin)) return next();
    handler(req, res, next);
  };
}
