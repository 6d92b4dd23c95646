import type { TObject, TSchema } from '@sinclair/typebox';
import type { TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { formatCount } from '../common/view-helpers';
import type { FieldProblem } from './problem';

/**
 * How both APIs (the partners' and the operator's) read a request against a route's TypeBox
 * schemas: the query string's text turned into the declared types, and the schema's failures
 * turned into the 422's field problems.
 */

/**
 * A query string holds strings: a parameter the schema declares as an array takes one value
 * or many (`lifecycle=error&lifecycle=suspended`); integers and booleans are read from their
 * text. Anything else is left for the schema to refuse.
 */
export function coerceQuery(schema: TObject, query: Record<string, unknown>): Record<string, unknown> {
  // No prototype: `__proto__=x` is a parameter like any other, refused when unknown.
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of Object.entries(query)) {
    const type = Object.hasOwn(schema.properties, key) ? (schema.properties[key] as TSchema).type : undefined;
    if (type === 'array' && typeof value === 'string') out[key] = [value];
    else if (type === 'integer' && typeof value === 'string' && /^-?\d{1,15}$/.test(value)) out[key] = Number(value);
    else if (type === 'boolean' && (value === 'true' || value === 'false')) out[key] = value === 'true';
    else out[key] = value;
  }
  return out;
}

/** At most this many problems in one answer: a hostile body does not get a huge one. */
export const MAX_PROBLEMS = 20;

/**
 * What is wrong with a value, one problem per field: `root` is `body` for a body (its fields
 * are named `body.…`), none for the query (its parameters are named as they are).
 */
export function fieldProblems(check: TypeCheck<TSchema>, value: unknown, root?: 'body'): FieldProblem[] {
  if (check.Check(value)) return [];
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  for (const error of check.Errors(value)) {
    const field = [root, ...error.path.split('/').filter(Boolean)].filter(Boolean).join('.') || (root ?? 'query');
    if (seen.has(field)) continue;
    seen.add(field);
    problems.push({ field: field.slice(0, 100), message: messageOf(error, root) });
    if (problems.length >= MAX_PROBLEMS) break;
  }
  return problems;
}

/** TypeBox's message, said better where the schema knows more: the values to choose from, a limit. */
function messageOf(error: ValueError, root?: 'body'): string {
  const choices = (error.schema.anyOf as { const?: unknown }[] | undefined)?.map((s) => s.const);
  const name = error.path.split('/').filter(Boolean)[0] ?? '';
  if (choices?.length && choices.every((c) => typeof c === 'string')) {
    const list = choices.length > 12 ? `${choices.slice(0, 12).join(', ')}, …` : choices.join(', ');
    // A comma list where the API takes the parameter repeated (as GitHub's would not): say how.
    const several = root !== 'body' && typeof error.value === 'string' && error.value.includes(',');
    return `Must be one of: ${list}.${several ? ` For several, repeat the parameter: ${repeated(name, error.value as string)}.` : ''}`;
  }
  if (error.type === ValueErrorType.ObjectAdditionalProperties) {
    if (root === 'body') return 'Unexpected field.';
    // `lifecycle[]=error`, as some HTTP libraries write an array.
    const bare = name.endsWith('[]') ? name.slice(0, -2) : undefined;
    const known = bare !== undefined && Object.hasOwn((error.schema.properties as Record<string, unknown> | undefined) ?? {}, bare);
    return known ? `Unexpected parameter: send it as ${bare}, repeated for several values.` : 'Unexpected parameter.';
  }
  if (error.type === ValueErrorType.ArrayMaxItems) {
    const most = formatCount(error.schema.maxItems as number);
    return root === 'body' ? `At most ${most} per request: send the others in another request.` : `At most ${most} values.`;
  }
  return `${error.message}.`;
}

/** `lifecycle=error&lifecycle=live` for the comma list `error,live` (two values shown at most). */
function repeated(name: string, commaList: string): string {
  return commaList
    .split(',')
    .slice(0, 2)
    .map((value) => `${name}=${value.trim()}`)
    .join('&');
}
