import type { IncomingMessage } from 'node:http';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The key format: `phk_live_<keyId>_<secret>`, both parts base62 so that a double click selects
 * the whole key and a secret scanner can find it by its prefix. The key id (96 bits) finds the
 * row; the secret is 256 bits from the CSPRNG. Other kinds of key (the operators', `phk_op_`)
 * take the same form with their own prefix.
 */
const PREFIX = 'phk_live_';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const KEY_ID_LENGTH = 17;
const SECRET_LENGTH = 43;
const keyShape = (prefix: string) => new RegExp(`^${prefix}([0-9A-Za-z]{${KEY_ID_LENGTH}})_([0-9A-Za-z]{${SECRET_LENGTH}})$`);
const KEY_SHAPE = keyShape(PREFIX);

function base62(bytes: Buffer, length: number): string {
  let n = BigInt(`0x${bytes.toString('hex')}`);
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out.padStart(length, '0');
}

export interface NewKeySecret {
  keyId: string;
  /** The whole key, shown once. */
  key: string;
  hash: string;
}

export function newKeySecret(prefix = PREFIX): NewKeySecret {
  const keyId = base62(randomBytes(12), KEY_ID_LENGTH);
  const key = `${prefix}${keyId}_${base62(randomBytes(32), SECRET_LENGTH)}`;
  return { keyId, key, hash: hashKey(key) };
}

/** What the list shows of a key: its public prefix. */
export const keyPrefix = (keyId: string, prefix = PREFIX) => `${prefix}${keyId}`;

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The key id of something shaped like a key, or undefined. */
export function keyIdOf(key: string, prefix = PREFIX): string | undefined {
  return (prefix === PREFIX ? KEY_SHAPE : keyShape(prefix)).exec(key)?.[1];
}

/** Constant-time comparison of the presented key with the stored hash. */
export function keyMatches(key: string, storedHash: string): boolean {
  const a = Buffer.from(hashKey(key), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The key of an `Authorization: Bearer <key>` header, if it has that form (the scheme in any case, RFC 9110 §11.1). */
export const bearerKey = (authorization: string | undefined): string | undefined =>
  /^Bearer +([^\s]{1,200})$/i.exec(authorization ?? '')?.[1];

/** What authorizationOf answers for a request with several Authorization headers: no key. */
const SEVERAL_HEADERS = 'several Authorization headers';

/**
 * A request's Authorization header. Sent more than once it opens nothing: Node keeps the first,
 * a proxy in front may have read the last, and either reading would be a guess.
 */
export function authorizationOf(req: IncomingMessage): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i].toLowerCase() !== 'authorization') continue;
    if (found !== undefined) return SEVERAL_HEADERS;
    found = req.rawHeaders[i + 1];
  }
  return found;
}

/**
 * Why a key is refused: the log says it. The caller hears that none was sent, that the header
 * could not be read (sent twice, or not the Bearer scheme), or only "not valid".
 */
export type KeyRefusal = 'missing' | 'several_headers' | 'not_bearer' | 'malformed' | 'unknown' | 'revoked' | 'expired';

/**
 * Why the key of an `Authorization` header is refused, or undefined when it opens: `keyId` is
 * what keyIdOf read from the presented key, `stored` the row of that key id, if any.
 */
export function keyRefusal(
  authorization: string | undefined,
  keyId: string | undefined,
  stored: { secretHash: string; revokedAt?: Date | null; expiresAt?: Date | null } | null | undefined,
  now: Date,
): KeyRefusal | undefined {
  if (!authorization) return 'missing';
  if (authorization === SEVERAL_HEADERS) return 'several_headers';
  const presented = bearerKey(authorization);
  if (!presented) return 'not_bearer';
  if (!keyId) return 'malformed';
  if (!stored || !keyMatches(presented, stored.secretHash)) return 'unknown';
  if (stored.revokedAt) return 'revoked';
  if (stored.expiresAt && stored.expiresAt <= now) return 'expired';
  return undefined;
}
