import { BadRequestException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

function hasNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 3 || typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(([k, v]) => k.includes('\u0000') || hasNul(v, depth + 1));
}

/**
 * A NUL byte has no business in any form field or query parameter: refuse the request. (Path
 * parameters are checked by shape in PathParamsPipe.)
 */
export function rejectNulBytes(req: Request, _res: Response, next: NextFunction) {
  if (hasNul(req.query) || hasNul(req.body)) {
    return next(new BadRequestException('The request contains a character that is not allowed.'));
  }
  next();
}
