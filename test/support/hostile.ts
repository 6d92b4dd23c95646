/**
 * Hostile values for every query parameter, path segment and form field, as they go on the
 * wire (percent-encoded): NUL, a lone %, accents and emoji, 2,000 characters, SQL, path
 * traversal, markup, spreadsheet formulas, bidi overrides, odd numbers and JSON kinds.
 */
export const HOSTILE_ENCODED: readonly string[] = [
  '%00',
  'abc%00def',
  '%25',
  '%C3%A9t%C3%A9',
  '%F0%9F%98%80',
  'A'.repeat(2000),
  "1'%20or%20'1'%3D'1",
  '1;drop%20table%20user',
  '..%2F..',
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
  '%3DHYPERLINK(%22http%3A%2F%2Fevil.example%22)',
  '%E2%80%AEevil%E2%80%AC',
  '-1',
  '1e999',
  '0x10',
  'null',
  '[]',
  '{}',
  '%EF%BC%9D1%2B1',
];

/**
 * Percent-escapes that do not decode (a cut-off UTF-8 sequence, non-hex digits): where the
 * encoded values go on the wire, but not among those decoded into bodies and fields.
 */
export const MALFORMED_ESCAPES: readonly string[] = ['%E0%A4%A', '%zz'];
