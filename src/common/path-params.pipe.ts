import { HttpException, NotFoundException, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { ID_SHAPE } from './ids';

/**
 * A raw invitation or reset token (auth/link-tokens.ts) is base64url of a 32-byte HMAC, 43
 * characters. A link is taken as one also cut short, or with a few characters of punctuation a
 * mail client or a copy added after it ("….", "…>"): it leads to its page, or to the page that
 * says the link is not valid and asks for a new one, never to a bare 404 (pending-token.ts).
 */
export const TOKEN_SHAPE = /^[A-Za-z0-9_-]{1,43}[.,;:!?)>\]'"]{0,3}$/;

/**
 * Path parameters that are neither an id nor a token, each with its shape. A name found in no
 * rule is a programming error, not a visitor's: it fails loudly instead of passing unchecked.
 */
const OTHER_PARAMS: Readonly<Record<string, RegExp>> = {};

/** The shape a path parameter of this name must have, or undefined when none is declared. */
export function pathParamShape(name: string): RegExp | undefined {
  if (name === 'id' || name.endsWith('Id')) return ID_SHAPE;
  if (name === 'token') return TOKEN_SHAPE;
  return Object.hasOwn(OTHER_PARAMS, name) ? OTHER_PARAMS[name] : undefined;
}

/**
 * Whether a failure is the router's refusal of a path parameter with a malformed escape
 * (`/accounts/%E0%A4%A`), which Express reports as a 400 before any route runs. No id or token
 * holds one, so it is answered as an unknown one is: not found.
 */
export function isMalformedPathEscape(error: unknown): boolean {
  return (error instanceof HttpException ? error.cause : error) instanceof URIError;
}

export class UndeclaredPathParam extends Error {
  constructor(name: string) {
    super(`Path parameter "${name}" has no declared shape: add it to PathParamsPipe (src/common/path-params.pipe.ts).`);
  }
}

function check(name: string, value: unknown): void {
  const shape = pathParamShape(name);
  if (!shape) throw new UndeclaredPathParam(name);
  // Same 404 page as an unknown id: a malformed one never reaches the database (a NUL byte
  // there is a 500 on SQLite and on PostgreSQL), and the answer tells nothing about the shape.
  if (typeof value !== 'string' || !shape.test(value)) throw new NotFoundException();
}

/**
 * Every route parameter is checked, by name, before the handler runs: ids and tokens have one
 * shape each, so a malformed one is the ordinary 404 page on every route. Registered once, in
 * configureApp. Query strings and bodies are the forms' business (parseForm).
 */
export class PathParamsPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'param') return value;
    if (metadata.data === undefined) {
      // @Param() without a name: the whole params object.
      for (const [name, v] of Object.entries((value ?? {}) as Record<string, unknown>)) check(name, v);
    } else {
      check(metadata.data, value);
    }
    return value;
  }
}
