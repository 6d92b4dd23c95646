import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { originOf, type HubRequest, type RequestOrigin } from '../common/http';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { RateLimiter, type RatePolicy } from '../throttle';
import { authorizationOf } from './api-key-secret';
import { ApiKeysService, type ApiCaller } from './api-keys.service';
import { ApiProblem } from './problem';
import { scopeOf } from './route-metadata';

/** An API request as the key guard leaves it. */
export type ApiRequest = HubRequest & { apiCaller?: ApiCaller };

/**
 * The Partner API's only way in: `Authorization: Bearer <key>` (sessions are not even loaded
 * under /api). Then the key's limit, counted in the database and so shared by every instance,
 * and the route's scope.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly policy: RatePolicy;

  constructor(
    private readonly keys: ApiKeysService,
    private readonly limiter: RateLimiter,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    // Each process claims up to 20 points of a key's minute at a time, and never more than a
    // thirtieth of it (20 of the default 600): one write per 20 requests instead of one each,
    // never more than the limit in a minute, and at most a lease per other instance refused
    // early. Limits under 60 count every request.
    const points = config.api.rateLimitPerMinute;
    this.policy = { name: 'api.key', points, windowMs: 60_000, lease: Math.max(1, Math.min(20, Math.floor(points / 30))) };
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<ApiRequest>();
    if (!req.apiCaller)
      await this.admit(
        req,
        context.switchToHttp().getResponse<Response>(),
        await this.keys.authenticate(authorizationOf(req), originOf(req)),
      );
    if (scopeOf(context) === 'read_write' && req.apiCaller!.scope !== 'read_write') throw ApiProblem.forbiddenScope();
    return true;
  }

  /**
   * Counts the request against its key's limit, says where the count stands on the answer,
   * and lets the caller in unless the minute is spent (429). Before the body is read
   * (apiKeyBeforeBody): a key past its limit makes the hub parse nothing more, and every
   * answer to a known key carries the headers, a 400, 413 or 422 for its body too.
   */
  async admit(req: ApiRequest, res: Response, caller: ApiCaller): Promise<void> {
    const decision = await this.limiter.consume(this.policy, caller.keyId);
    res.setHeader('X-RateLimit-Limit', String(this.policy.points));
    res.setHeader('X-RateLimit-Remaining', String(Math.max(0, this.policy.points - decision.spent)));
    // When the minute's count starts again, in Unix seconds (as GitHub's API says it).
    res.setHeader('X-RateLimit-Reset', String(Math.ceil(decision.resetsAt / 1000)));
    if (!decision.allowed) throw ApiProblem.rateLimited(decision.retryAfterSeconds);
    req.apiCaller = caller;
  }
}

/** The one address under an API's base that needs no key, relative to that base. */
const PUBLIC_DOCUMENT = '/openapi.json';

/** Whether a path is the public document as the router reads it: in any case, a trailing slash or not. */
const isPublicDocument = (path: string): boolean => path.toLowerCase().replace(/\/$/, '') === PUBLIC_DOCUMENT;

/**
 * Express middleware before an API's JSON parser (the Partner API's, the operator API's): a
 * request is let in by its key before its body or query is read, so that a request without a
 * valid key is a 401 whatever it sends (not a 400, 413 or 422 for input nobody was allowed to
 * send, a GET's included), and nobody without a key makes the hub parse a body (an operator
 * load may be 10 MB). Only reading the API's document (`openapi.json`) is public. `keep` puts the
 * caller on the request (after the Partner API's limit), where the API's guard finds it already known.
 */
export function keyBeforeBody<R extends HubRequest, C>(
  authenticate: (authorization: string | undefined, origin: RequestOrigin) => Promise<C>,
  keep: (req: R, res: Response, caller: C) => void | Promise<void>,
) {
  return (req: R, res: Response, next: NextFunction): void => {
    if ((req.method === 'GET' || req.method === 'HEAD') && isPublicDocument(req.path)) return next();
    authenticate(authorizationOf(req), originOf(req))
      .then((caller) => keep(req, res, caller))
      .then(() => next(), next);
  };
}

/** The Partner API's: the key, then its limit; the guard then checks the route's scope. */
export const apiKeyBeforeBody = (keys: ApiKeysService, guard: ApiKeyGuard) =>
  keyBeforeBody(
    (authorization, origin) => keys.authenticate(authorization, origin),
    (req: ApiRequest, res, caller) => guard.admit(req, res, caller),
  );
