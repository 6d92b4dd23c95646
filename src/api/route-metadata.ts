import type { ExecutionContext } from '@nestjs/common';
import type { ApiScope } from './entities/api-key.entity';

/** Where a handler's route declaration is kept (route.ts sets it, the key guard reads its scope). */
export const API_ROUTE = 'api:route';

/** The scope a handler's route needs. */
export function scopeOf(context: ExecutionContext): ApiScope {
  return (Reflect.getMetadata(API_ROUTE, context.getHandler()) as { scope: ApiScope }).scope;
}
