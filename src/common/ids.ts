import { randomBytes } from 'node:crypto';

/** Opaque, random, URL-safe ids (128 bits): never sequential, never guessable. */
export function newId(): string {
  return randomBytes(16).toString('base64url');
}

/** What newId() makes: 22 base64url characters. Path ids and cursors are checked against it. */
export const ID_SHAPE = /^[A-Za-z0-9_-]{22}$/;

export function isEntityId(id: unknown): id is string {
  return typeof id === 'string' && ID_SHAPE.test(id);
}
