import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { describe, expect, it } from 'vitest';
import { coerceQuery, fieldProblems, MAX_PROBLEMS } from '../../src/api/request-check';
import { OneOf } from '../../src/api/schemas';

const Query = Type.Object(
  {
    lifecycle: Type.Optional(Type.Array(OneOf(['live', 'error']), { maxItems: 2 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    dry_run: Type.Optional(Type.Boolean()),
    q: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
const Body = Type.Object({ records: Type.Array(Type.Unknown(), { maxItems: 3 }) }, { additionalProperties: false });
const query = TypeCompiler.Compile(Query);
const body = TypeCompiler.Compile(Body);

describe('request checks shared by the partner and operator APIs', () => {
  it('reads a query string’s text as the declared types, and leaves the rest to the schema', () => {
    expect(coerceQuery(Query, { lifecycle: 'live', limit: '25', dry_run: 'true', q: '42', other: 'x' })).toEqual({
      lifecycle: ['live'],
      limit: 25,
      dry_run: true,
      q: '42',
      other: 'x',
    });
    expect(coerceQuery(Query, { lifecycle: ['live', 'error'], limit: '1e3', dry_run: 'yes' })).toEqual({
      lifecycle: ['live', 'error'],
      limit: '1e3',
      dry_run: 'yes',
    });
    expect(coerceQuery(Query, { limit: '9'.repeat(16) }).limit).toBe('9'.repeat(16));
  });

  it('names each wrong field once, with a message that says what would do', () => {
    expect(fieldProblems(query, coerceQuery(Query, { lifecycle: 'dead', other: '1', limit: 'x' }))).toEqual([
      { field: 'other', message: 'Unexpected parameter.' },
      { field: 'lifecycle.0', message: 'Must be one of: live, error.' },
      { field: 'limit', message: 'Expected integer.' },
    ]);
    expect(fieldProblems(query, coerceQuery(Query, { lifecycle: ['live', 'error', 'live'] }))).toEqual([
      { field: 'lifecycle', message: 'At most 2 values.' },
    ]);
    expect(fieldProblems(body, { records: [1, 2, 3, 4], extra: true }, 'body')).toEqual([
      { field: 'body.extra', message: 'Unexpected field.' },
      { field: 'body.records', message: 'At most 3 per request: send the others in another request.' },
    ]);
    expect(fieldProblems(body, { records: [] }, 'body')).toEqual([]);
  });

  it('answers at most a bounded number of problems, with bounded field names', () => {
    const hostile = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`${'p'.repeat(300)}${i}`, '1']));
    const problems = fieldProblems(query, hostile);
    expect(problems).toHaveLength(MAX_PROBLEMS);
    expect(problems.every((p) => p.field.length <= 100 && p.message === 'Unexpected parameter.')).toBe(true);
  });
});
