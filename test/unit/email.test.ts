import { describe, expect, it } from 'vitest';
import { canonicalEmail, emailProblem } from '../../src/common/email';
import { email } from '../../src/common/forms';

const COMPOSED = 'zo\u00e9@example.com';
const DECOMPOSED = 'Zoe\u0301@Example.com';

describe('canonicalEmail', () => {
  it('gives composed and decomposed "é" the same canonical form', () => {
    expect(DECOMPOSED).not.toBe(COMPOSED.toUpperCase());
    expect(canonicalEmail(DECOMPOSED)).toBe(COMPOSED);
    expect(canonicalEmail(COMPOSED)).toBe(COMPOSED);
  });

  it('lower-cases and trims', () => {
    expect(canonicalEmail('  Carla@Globex.EXAMPLE \t\n')).toBe('carla@globex.example');
  });

  it('stores the domain in its ASCII (IDNA) form', () => {
    expect(canonicalEmail('Kim@Bücher.example')).toBe('kim@xn--bcher-kva.example');
    expect(canonicalEmail('kim@xn--bcher-kva.example')).toBe('kim@xn--bcher-kva.example');
    // Full-width letters in a domain are the plain letters to IDNA.
    expect(canonicalEmail('kim@\uff45xample.com')).toBe('kim@example.com');
  });

  it('is idempotent', () => {
    for (const raw of [DECOMPOSED, 'Kim@Bücher.example', 'ИВАН@Пример.РФ', 'İstanbul@x.example']) {
      expect(canonicalEmail(canonicalEmail(raw))).toBe(canonicalEmail(raw));
    }
  });

  it('never throws, and keeps refused characters so that the address matches no one', () => {
    for (const raw of ['', '@', 'no-at-sign', 'a@', '@b', 'a@b@c', 'a@exa mple.com', 'x\u0000@y', '\ud800@x.example']) {
      expect(() => canonicalEmail(raw)).not.toThrow();
    }
    // IDNA alone would drop these and give "example.com": an invisible character must not
    // let a lookup reach the real person.
    expect(canonicalEmail('kim@exa\u200bmple.com')).not.toBe('kim@example.com');
    expect(canonicalEmail('kim@exa\u00admple.com')).not.toBe('kim@example.com');
    expect(canonicalEmail('ki\u200bm@example.com')).not.toBe('kim@example.com');
  });
});

describe('emailProblem', () => {
  it.each([
    ['a plain address', 'carla@globex.example'],
    ['a decomposed accent', DECOMPOSED],
    ['an internationalised domain', 'kim@bücher.example'],
    ['an all-Cyrillic address', 'иван@пример.рф'],
    ['an all-Greek local part', 'αλέξης@example.gr'],
    ['a Cyrillic-only local part at a Latin domain', 'иван@example.com'],
    ['Latin letters with digits and punctuation', 'o.brien+hub-2@example.co.uk'],
  ])('accepts %s', (_case, raw) => {
    expect(emailProblem(raw)).toBeNull();
  });

  it.each([
    ['nothing', '   ', 'Email is required.'],
    ['no domain', 'mallory@', 'Enter a valid email address.'],
    ['no dot in the domain', 'mallory@localhost', 'Enter a valid email address.'],
    ['two @', 'a@b@c.example', 'Enter a valid email address.'],
    ['an empty domain label', 'a@b..example', 'Enter a valid email address.'],
    ['a trailing dot', 'a@b.example.', 'Enter a valid email address.'],
    ['a domain IDNA refuses', 'a@xn--zz.example', 'Enter a valid email address.'],
    ['a line break (header injection)', 'a@b.example\r\nBcc: x@y.example', 'Enter a valid email address.'],
    ['a NUL', 'a\u0000b@example.com', 'Enter a valid email address.'],
    ['a DEL', 'ab\u007f@example.com', 'Enter a valid email address.'],
    ['a C1 control', 'ab\u0085@example.com', 'Enter a valid email address.'],
    ['a zero-width space', 'ad\u200bmin@example.com', 'Email must not contain invisible characters such as zero-width spaces.'],
    [
      'a zero-width space in the domain',
      'admin@exam\u200bple.com',
      'Email must not contain invisible characters such as zero-width spaces.',
    ],
    ['a zero-width non-joiner', 'ad\u200cmin@example.com', 'Email must not contain invisible characters such as zero-width spaces.'],
    ['a zero-width joiner', 'ad\u200dmin@example.com', 'Email must not contain invisible characters such as zero-width spaces.'],
    ['a word joiner', 'ad\u2060min@example.com', 'Email must not contain invisible characters such as zero-width spaces.'],
    [
      'a byte-order mark, even at the start',
      '\ufeffadmin@example.com',
      'Email must not contain invisible characters such as zero-width spaces.',
    ],
    ['a soft hyphen', 'ad\u00admin@example.com', 'Email must not contain invisible characters such as zero-width spaces.'],
    ['a variation selector', 'admin\ufe0f@example.com', 'Email must not contain invisible characters such as zero-width spaces.'],
    ['a right-to-left override', 'admin\u202e@example.com', 'Email must not contain text-direction characters.'],
    ['a left-to-right mark', 'admin\u200e@example.com', 'Email must not contain text-direction characters.'],
    ['a right-to-left mark', 'admin\u200f@example.com', 'Email must not contain text-direction characters.'],
    ['a directional isolate', '\u2066admin\u2069@example.com', 'Email must not contain text-direction characters.'],
    ['an Arabic letter mark', 'admin\u061c@example.com', 'Email must not contain text-direction characters.'],
    ['a Cyrillic "а" among Latin letters', '\u0430dmin@example.com', 'Email must not mix Latin, Cyrillic or Greek letters before the @.'],
    ['a Greek "ο" among Latin letters', 'r\u03bfot@example.com', 'Email must not mix Latin, Cyrillic or Greek letters before the @.'],
    ['Cyrillic with Greek', 'иα@example.com', 'Email must not mix Latin, Cyrillic or Greek letters before the @.'],
    ['full-width letters', '\uff41dmin@example.com', 'Email must not contain full-width or styled letters.'],
    ['a ligature', 'o\ufb03ce@example.com', 'Email must not contain full-width or styled letters.'],
    ['a canonical form over 254 characters', `${'a'.repeat(64)}@${'b'.repeat(186)}.com`, 'Email must be at most 254 characters.'],
    ['10,000 characters', `${'a.'.repeat(5000)}@example.com`, 'Email must be at most 254 characters.'],
  ])('refuses %s', (_case, raw, sentence) => {
    expect(emailProblem(raw)).toBe(sentence);
  });

  it('measures the length on the canonical form', () => {
    // 126 decomposed "é" are 252 characters as typed and 126 once composed.
    expect(emailProblem(`${'e\u0301'.repeat(126)}@x.example`)).toBeNull();
  });
});

describe('the email() form field', () => {
  it('gives the canonical form', () => {
    expect(email().parse(`  ${DECOMPOSED} `)).toBe(COMPOSED);
    expect(email().parse('Kim@Bücher.example')).toBe('kim@xn--bcher-kva.example');
  });

  it('refuses with the sentence that says why', () => {
    const parsed = email().safeParse('ad\u200bmin@example.com');
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.message)).toEqual(['Email must not contain invisible characters such as zero-width spaces.']);
  });
});
