import { describe, expect, it } from 'vitest';
import { newId } from '../../src/common/ids';
import { safeLocalPath } from '../../src/common/local-path';

const HOSTILE: [string, unknown][] = [
  ['not a string', 42],
  ['an array (a repeated query parameter)', ['/users', '/activity']],
  ['undefined', undefined],
  ['null', null],
  ['empty', ''],
  ['longer than 2,000 characters', `/accounts?q=${'a'.repeat(1990)}`],
  ['a relative path', 'accounts'],
  ['a dot path', '../accounts'],
  ['protocol-relative', '//evil.example'],
  ['protocol-relative with a path', '//evil.example/accounts'],
  ['three slashes', '///evil.example'],
  ['slash backslash', '/\\evil.example'],
  ['two backslashes', '\\\\evil.example'],
  ['a backslash further on', '/accounts\\..\\..\\evil'],
  ['an absolute https URL', 'https://evil.example/accounts'],
  ['an absolute http URL', 'http://hub.invalid/accounts'],
  ['javascript:', 'javascript:alert(1)'],
  ['data:', 'data:text/html,<script>alert(1)</script>'],
  ['a scheme without slashes', 'https:evil.example'],
  ['a raw line feed', '/accounts\nSet-Cookie: x=1'],
  ['a raw carriage return and line feed', '/accounts\r\nSet-Cookie: x=1'],
  ['a raw tab that URL parsers drop', '/\t/evil.example'],
  ['a raw space', '/accounts?q=a b'],
  ['a raw NUL', '/accounts\u0000'],
  ['a raw DEL', '/accounts\u007f'],
  ['a right-to-left override', '/accounts\u202e'],
  ['a no-break space', '/accounts\u00a0'],
  ['an encoded CR LF', '/%0d%0aSet-Cookie:x=1'],
  ['an encoded line feed in the query', '/accounts?q=%0a'],
  ['an encoded tab', '/%09/evil.example'],
  ['an encoded NUL', '/accounts%00'],
  ['an encoded right-to-left override in the query', '/accounts?q=%E2%80%AE'],
  ['a malformed escape in the fragment-free path', '/accounts%E0%A4%A?q=1'],
  ['a dot segment before two slashes', '/.//evil.example'],
  ['a parent segment before two slashes', '/..//evil.example'],
  ['a segment undone before two slashes', '/accounts/..//evil.example'],
  ['an encoded dot segment before two slashes', '/%2e//evil.example'],
  ['an encoded parent segment before two slashes', '/%2E%2E//evil.example'],
  ['encoded slashes after a slash', '/%2F%2Fevil.example'],
  ['encoded slashes, lower case', '/%2f%2fevil.example'],
  ['encoded slashes only', '%2F%2Fevil.example'],
  ['an encoded single slash', '%2Faccounts'],
  ['an encoded backslash', '/%5Cevil.example'],
  ['an encoded backslash, lower case', '/%5cevil.example'],
  ['double-encoded slashes', '/%252F%252Fevil.example'],
  ['triple-encoded slashes', '/%25252F%25252Fevil.example'],
  ['a double-encoded backslash', '/%255Cevil.example'],
  ['a double-encoded CR LF', '/%250d%250aSet-Cookie:x=1'],
  ['a malformed escape', '/accounts?q=%E0%A4%A'],
  ['a lone percent sign', '/accounts?q=100%'],
];

const GOOD: [string, string, string][] = [
  ['the start page', '/', '/'],
  ['a list with a repeated filter', '/accounts?lifecycle=error&lifecycle=suspended', '/accounts?lifecycle=error&lifecycle=suspended'],
  ['the team', '/users', '/users'],
  ['activity, filtered', '/activity?action=auth.signed_in', '/activity?action=auth.signed_in'],
  ['an encoded letter in the query', '/accounts?q=caf%C3%A9', '/accounts?q=caf%C3%A9'],
  ['a form-encoded space and plus sign', '/accounts?q=%2B49+151', '/accounts?q=%2B49+151'],
  ['a query with a URL as its value', '/accounts?ref=https://evil.example', '/accounts?ref=https://evil.example'],
  ['a search with an encoded space', '/accounts?q=cafe%20lumiere', '/accounts?q=cafe%20lumiere'],
  ['a search for a percent sign', '/accounts?q=100%25', '/accounts?q=100%25'],
  ['a search for an escape as typed', '/accounts?q=%252F', '/accounts?q=%252F'],
  [
    'a number opened from a search with a space',
    '/accounts/abc?back=%2Faccounts%3Fq%3Da%2520b',
    '/accounts/abc?back=%2Faccounts%3Fq%3Da%2520b',
  ],
];

describe('safeLocalPath', () => {
  it.each(HOSTILE)('refuses %s', (_case, value) => {
    expect(safeLocalPath(value)).toBeUndefined();
  });

  it.each(GOOD)('keeps %s', (_case, value, expected) => {
    expect(safeLocalPath(value)).toBe(expected);
  });

  it("keeps a number's page", () => {
    const id = newId();
    expect(safeLocalPath(`/accounts/${id}`)).toBe(`/accounts/${id}`);
  });

  it('drops the fragment and keeps the query', () => {
    expect(safeLocalPath('/accounts?lifecycle=error#//evil.example')).toBe('/accounts?lifecycle=error');
  });

  it('keeps a path of exactly 2,000 characters', () => {
    const value = `/accounts?q=${'a'.repeat(2000 - '/accounts?q='.length)}`;
    expect(safeLocalPath(value)).toBe(value);
  });

  it('gives what it accepts in the form it would accept again', () => {
    for (const [, value] of GOOD) {
      const once = safeLocalPath(value);
      expect(safeLocalPath(once)).toBe(once);
    }
  });

  it('never gives a value that leaves the site or holds a character a header cannot carry', () => {
    for (const [, value] of [...HOSTILE, ...GOOD]) {
      const result = safeLocalPath(value);
      if (result === undefined) continue;
      expect(new URL(result, 'https://hub.example').origin).toBe('https://hub.example');
      expect(result).toMatch(/^\/[\x21-\x7e]*$/);
    }
  });
});
