import { randomBytes } from 'node:crypto';

/** Opaque, random, URL-safe ids (128 bits): never sequential, never guessable. */
export function newId(): string {
  return randomBytes(16).toString('base64url');
}
