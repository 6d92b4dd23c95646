import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { authorizationOf, keyBeforeBody } from '../api';
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

/** The operator API's keyBeforeBody (its loads may be 10 MB). */
export const operatorKeyBeforeBody = (keys: OperatorKeysService) =>
  keyBeforeBody(
    (authorization, origin) => keys.authenticate(authorization, origin),
    (req: OperatorRequest, _res, caller) => {
      req.operator = caller;
    },
  );
