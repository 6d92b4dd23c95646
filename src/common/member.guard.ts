import { ForbiddenException, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { HubRequest } from './http';
import { GUEST_ONLY, IS_PUBLIC, OWNER_ONLY } from './public.decorator';

export class SignInRequired extends Error {}
/** A signed-in member on a page for the signed-out: the filter sends them to the accounts. */
export class AlreadySignedIn extends Error {}

/**
 * Deny by default: every route needs a signed-in member of a partner unless it is marked
 * @Public(). The member was reloaded from the database for this very request.
 */
@Injectable()
export class MemberGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    const req = context.switchToHttp().getRequest<HubRequest>();
    if (req.member && this.reflector.getAllAndOverride<boolean>(GUEST_ONLY, targets)) throw new AlreadySignedIn();
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    if (!req.member) throw new SignInRequired();
    if (this.reflector.getAllAndOverride<boolean>(OWNER_ONLY, targets) && req.member.role !== 'owner') {
      throw new ForbiddenException('Only owners of this partner can do this.');
    }
    return true;
  }
}
