import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { cookieOptions, type AppConfig } from '../config/config';

/**
 * The browsers a person signed in from before (OWASP's "device cookies"). Wrong passwords from
 * anywhere else pause signing in to the account only for browsers it has not signed in from: a
 * stranger who knows the address cannot lock its person out. A known browser has a count of its
 * own, so it gets no more guesses than a stranger.
 *
 * The cookie holds, for each of the last few accounts signed in from it, a random id and an
 * HMAC of that id with the account's address: no address to read, nothing to forge.
 */
const MAX_AGE_MS = 180 * 86_400_000;
/** Accounts one browser remembers (a shared desk, a person with two teams' addresses). */
const ACCOUNTS_KEPT = 5;
const ENTRY = /^([\w-]{22})\.([\w-]{22})$/;

const mac = (secret: string, email: string, id: string) =>
  createHmac('sha256', secret).update(`known-browser\0${email}\0${id}`).digest('base64url').slice(0, 22);

function entries(cookieValue: string | undefined): { id: string; mac: string }[] {
  return (cookieValue ?? '')
    .split('~')
    .map((e) => ENTRY.exec(e))
    .filter((m) => m !== null)
    .slice(-ACCOUNTS_KEPT)
    .map(([, id, m]) => ({ id, mac: m }));
}

/** This browser's id for the account, when it signed in to it before; null otherwise. */
export function knownBrowserId(cookieValue: string | undefined, email: string, secret: string): string | null {
  for (const e of entries(cookieValue)) {
    const expected = Buffer.from(mac(secret, email, e.id));
    if (timingSafeEqual(expected, Buffer.from(e.mac))) return e.id;
  }
  return null;
}

/** The cookie's next value once the account signed in from this browser: it stays known, or becomes known. */
export function rememberBrowser(cookieValue: string | undefined, email: string, secret: string): string {
  const kept = entries(cookieValue);
  const id = knownBrowserId(cookieValue, email, secret);
  const others = kept.filter((e) => e.id !== id);
  const mine = id ?? randomBytes(16).toString('base64url');
  return [...others.slice(-(ACCOUNTS_KEPT - 1)), { id: mine, mac: mac(secret, email, mine) }].map((e) => `${e.id}.${e.mac}`).join('~');
}

/** One cookie's value from a Cookie header (the hub reads no other cookie itself). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** The id of the request's browser for the account, when it is known to it (its cookie); null otherwise. */
export function knownBrowserOf(req: Request, config: AppConfig, email: string): string | null {
  const { secret, knownBrowserCookieName: name } = config.session;
  return knownBrowserId(cookieValue(req.headers.cookie, name), email, secret);
}

/** Makes (or keeps) this browser known to the account: after a sign-in, or a reset proved the address. */
export function markBrowserKnown(req: Request, res: Response, config: AppConfig, email: string): void {
  const { secret, knownBrowserCookieName: name } = config.session;
  res.cookie(name, rememberBrowser(cookieValue(req.headers.cookie, name), email, secret), {
    ...cookieOptions(config),
    maxAge: MAX_AGE_MS,
  });
}
