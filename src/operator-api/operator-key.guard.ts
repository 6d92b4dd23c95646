import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { authorizationOf } from '../api';
import { originOf, type HubRequest } from '../common/http';
import { OperatorKeysService, type OperatorCaller } from './operator-keys.service';

/** An operator API request as the key guard leaves it. */
export type OperatorRequest = HubRequest & { operator?: OperatorCaller };

/** The operator API's only way in: `Authorization: Bearer phk_op_…` (no session is loaded under /api). */
@Injectable()
export class OperatorKeyGuard implements CanActivate {
  constructor(private readonly keys: OperatorKeysService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<OperatorRequest>();
    req.operator ??= await this.keys.authenticate(authorizationOf(req), originOf(req));
    return true;
  }
}

/**
 * Express middleware before the operator API's JSON parser: a request with a body (a load may
 * be 10 MB) is let in by its key before that body is read, so that nobody without a key makes
 * the hub parse one. The guard then finds the caller already known.
 */
export function operatorKeyBeforeBody(keys: OperatorKeysService) {
  return (req: OperatorRequest, _res: Response, next: NextFunction): void => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    keys.authenticate(authorizationOf(req), originOf(req)).then((caller) => {
      req.operator = caller;
      next();
    }, next);
  };
}
