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
    const res = context.switchToHttp().getResponse<Response>();
    const caller = req.apiCaller ?? (await this.keys.authenticate(authorizationOf(req), originOf(req)));
    const decision = await this.limiter.consume(this.policy, caller.keyId);
    res.setHeader('X-RateLimit-Limit', String(this.policy.points));
    res.setHeader('X-RateLimit-Remaining', String(Math.max(0, this.policy.points - decision.spent)));
    // When the minute's count starts again, in Unix seconds (as GitHub's API says it).
    res.setHeader('X-RateLimit-Reset', String(Math.ceil(decision.resetsAt / 1000)));
    if (!decision.allowed) throw ApiProblem.rateLimited(decision.retryAfterSeconds);
    if (scopeOf(context) === 'read_write' && caller.scope !== 'read_write') throw ApiProblem.forbiddenScope();
    req.apiCaller = caller;
    return true;
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
 * caller on the request, where the API's guard finds it already known.
 */
export function keyBeforeBody<R extends HubRequest, C>(
  authenticate: (authorization: string | undefined, origin: RequestOrigin) => Promise<C>,
  keep: (req: R, caller: C) => void,
) {
  return (req: R, _res: Response, next: NextFunction): void => {
    if ((req.method === 'GET' || req.method === 'HEAD') && isPublicDocument(req.path)) return next();
    authenticate(authorizationOf(req), originOf(req)).then((caller) => {
      keep(req, caller);
      next();
    }, next);
  };
}

/** The Partner API's: the guard then counts the key's limit and checks its scope. */
export const apiKeyBeforeBody = (keys: ApiKeysService) =>
  keyBeforeBody(
    (authorization, origin) => keys.authenticate(authorization, origin),
    (req: ApiRequest, caller) => (req.apiCaller = caller),
  );
