import { describe, expect, it } from 'vitest';
import { cookieValue, knownBrowserId, rememberBrowser } from '../../src/auth/known-browser';

const SECRET = 'a session secret of the test';

describe('known browsers', () => {
  it('knows a browser for the address it signed in to, with the secret that signed it, and for no other', () => {
    const cookie = rememberBrowser(undefined, 'ana@example.com', SECRET);
    const id = knownBrowserId(cookie, 'ana@example.com', SECRET);
    expect(id).toMatch(/^[\w-]{22}$/);
    expect(cookie).not.toContain('ana');
    expect(knownBrowserId(cookie, 'bob@example.com', SECRET)).toBeNull();
    expect(knownBrowserId(cookie, 'ana@example.com', 'another secret')).toBeNull();
    expect(knownBrowserId(undefined, 'ana@example.com', SECRET)).toBeNull();
    expect(knownBrowserId('garbage', 'ana@example.com', SECRET)).toBeNull();
  });

  it('keeps a browser’s id for an account across sign-ins, and the last five accounts', () => {
    let cookie = rememberBrowser(undefined, 'ana@example.com', SECRET);
    const ana = knownBrowserId(cookie, 'ana@example.com', SECRET);
    cookie = rememberBrowser(cookie, 'ana@example.com', SECRET);
    expect(knownBrowserId(cookie, 'ana@example.com', SECRET)).toBe(ana);
    expect(cookie.split('~')).toHaveLength(1);
    for (let i = 1; i <= 5; i++) cookie = rememberBrowser(cookie, `p${i}@example.com`, SECRET);
    expect(cookie.split('~')).toHaveLength(5);
    expect(knownBrowserId(cookie, 'ana@example.com', SECRET)).toBeNull();
    expect(knownBrowserId(cookie, 'p1@example.com', SECRET)).not.toBeNull();
    expect(knownBrowserId(cookie, 'p5@example.com', SECRET)).not.toBeNull();
  });

  it('reads one cookie from a Cookie header', () => {
    expect(cookieValue('a=1; hub.browser=x.y; b=2', 'hub.browser')).toBe('x.y');
    expect(cookieValue('xhub.browser=1', 'hub.browser')).toBeUndefined();
    expect(cookieValue(undefined, 'hub.browser')).toBeUndefined();
  });
});
