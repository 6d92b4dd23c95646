import { describe, expect, it } from 'vitest';
import { firstDuplicateKey } from '../../src/api/json-body';

describe('firstDuplicateKey', () => {
  it.each([
    ['a name given twice', '{"dry_run":true,"dry_run":false}', 'dry_run'],
    ['twice with whitespace around', '{ "a" : 1 ,\n "a" : 2 }', 'a'],
    ['once escaped', '{"dry_run":true,"\\u0064ry_run":false}', 'dry_run'],
    ['in a nested object', '{"a":{"b":1,"c":{"d":1,"d":2}}}', 'd'],
    ['in an object of an array', '{"records":[{"id":"1"},{"id":"2","id":"3"}]}', 'id'],
    ['after an array in the same object', '{"a":[1,{"x":1}],"b":2,"a":3}', 'a'],
    ['an empty name', '{"":1,"":2}', ''],
  ])('finds %s', (_case, text, name) => {
    expect(firstDuplicateKey(text)).toBe(name);
    // JSON.parse takes such a text: it keeps the last value.
    expect(() => JSON.parse(text)).not.toThrow();
  });

  it.each([
    ['names once each', '{"a":1,"b":2}'],
    ['the same name in different objects', '{"a":{"id":1},"b":{"id":2},"c":[{"id":3},{"id":4}]}'],
    ['a value that equals a name', '{"a":"a","b":["a","a"]}'],
    ['quotes, commas and braces inside strings', '{"a":"x\\",\\"a\\":{","b":"}],[{"}'],
    ['a backslash at the end of a string', '{"a":"\\\\","b":"\\\\"}'],
    ['an array of scalars', '[1,"a","a",{"a":1}]'],
    ['a scalar', '"a"'],
    ['nothing', ''],
  ])('finds nothing in %s', (_case, text) => {
    expect(firstDuplicateKey(text)).toBeUndefined();
  });

  it('gives an answer, never an exception, for text that is not JSON', () => {
    for (const text of ['{"a":', '{"a"', '}}]]', '{"\\u12', '{,,"a":1,"a"']) {
      expect(() => firstDuplicateKey(text)).not.toThrow();
    }
  });
});
