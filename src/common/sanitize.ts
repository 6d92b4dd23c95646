import { BadRequestException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/** Where the first NUL byte of a parsed query or body is (`q`, `partner_channels.1.phone_name`), or undefined. */
function nulAt(value: unknown, depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? '' : undefined;
  if (depth > 3 || typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const below = key.includes('\u0000') ? '' : nulAt(item, depth + 1);
    if (below !== undefined) return below ? `${key.replaceAll('\u0000', '\\0')}.${below}` : key.replaceAll('\u0000', '\\0');
  }
  return undefined;
}

/** A request refused for a NUL byte; `field` says where (`q`, `body.reason`; the API answers it as an invalid field). */
export class NulByteRefused extends BadRequestException {
  constructor(readonly field: string) {
    super('The request contains a character that is not allowed.');
  }
}

/**
 * A NUL byte has no business in any form field or query parameter: refuse the request. (Path
 * parameters are checked by shape in PathParamsPipe.) The bodies under `bodiesCheckedUnder` are
 * checked field by field by what reads them (the operator API's loads: the import refuses a
 * record with a NUL byte, with its own message, as accounts:import does, not the whole load).
 * So are the queries of the requests `queryReadByPage` names (the pages one opens): each page
 * reads its parameters as it reads any value no link of ours makes, a search's as its field's
 * error (422), the others left out, where a refusal here was a bare 400 page.
 */
export function rejectNulBytes(options: { bodiesCheckedUnder?: string[]; queryReadByPage?: (req: Request) => boolean } = {}) {
  // The router matches paths in any case: so does this.
  const elsewhere = (options.bodiesCheckedUnder ?? []).map((base) => `${base.toLowerCase()}/`);
  return (req: Request, _res: Response, next: NextFunction) => {
    const path = req.path.toLowerCase();
    const inBody = elsewhere.some((base) => path.startsWith(base)) ? undefined : nulAt(req.body);
    const inQuery = options.queryReadByPage?.(req) ? undefined : nulAt(req.query);
    // Named as the APIs name fields: a query parameter as it is, a body's field under `body.`.
    const field = inQuery ?? (inBody === undefined ? undefined : inBody ? `body.${inBody}` : 'body');
    if (field !== undefined) return next(new NulByteRefused(field));
    next();
  };
}
