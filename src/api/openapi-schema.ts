import type { TObject, TSchema } from '@sinclair/typebox';
import { problemJson, problemOf } from './api-problem.filter';
import type { ApiProblem, ApiReference } from './problem';

/** The parts of an OpenAPI 3.1 document that both APIs' documents make from TypeBox schemas. */

/** Plain JSON Schema: TypeBox's symbols dropped. */
export const plainSchema = (schema: TSchema): Record<string, unknown> => JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;

/**
 * The OpenAPI parameters of a route's path or query schema; an array is a repeated parameter.
 * A parameter's example stays in its schema, and a query parameter's description shows it as
 * it is sent: as the parameter's own `example`, swagger-ui would fill every field of "Try it
 * out" with one, and the filters together would match nothing.
 */
export function openApiParameters(schema: TObject | undefined, where: 'path' | 'query'): Record<string, unknown>[] {
  if (!schema) return [];
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([name, property]) => {
    const { description, ...rest } = plainSchema(property);
    const example = (rest.examples as unknown[] | undefined)?.[0];
    const sent = where === 'query' && example !== undefined ? `Example: \`${queryText(name, example)}\`.` : undefined;
    const text = [description, sent].filter(Boolean).join(' ');
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(text && { description: text }),
      schema: rest,
      ...(rest.type === 'array' && { style: 'form', explode: true }),
    };
  });
}

/** A query parameter's value as a query string holds it: an array as the parameter repeated. */
const queryText = (name: string, value: unknown) =>
  new URLSearchParams((Array.isArray(value) ? value : [value]).map((v): [string, string] => [name, String(v)])).toString();

/** The request id of the examples' problems. */
const EXAMPLE_REQUEST_ID = '0f6f3c1e-8a4b-4f7e-9c2d-5b1a7e3d9f60';

/** A problem response, its examples named by their type: each as the API (of that reference) answers it. */
export function problemResponse(description: string, errors: unknown[], reference: ApiReference): Record<string, unknown> {
  const examples: Record<string, { summary: string; value: unknown }> = {};
  for (const error of errors) {
    const problem = problemOf(error);
    let name = problem.slug;
    for (let n = 2; examples[name]; n++) name = `${problem.slug}-${n}`;
    examples[name] = { summary: problem.detail, value: JSON.parse(problemJson(problem, EXAMPLE_REQUEST_ID, reference)) };
  }
  const schema = { $ref: '#/components/schemas/Problem' };
  return { description, content: { 'application/problem+json': errors.length ? { schema, examples } : { schema } } };
}

/** A problem as the document's examples show it. */
interface ProblemExample {
  type: string;
  title: string;
  status: number;
  detail: string;
}

/**
 * The reference's list of the problem types an API answers with, one example of each in the
 * order of their status, each under the anchor its `type` URI points to (`<reference>#problem-
 * <name>`: docs-init.js scrolls there once swagger-ui has drawn the page). The types are those
 * of every problem example in the document's `parts`, and of `others`: answers no route words.
 */
export function problemTypesText(parts: unknown[], others: ApiProblem[], reference: ApiReference): string {
  const found = new Map<string, ProblemExample>();
  const walk = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const media = (node as Record<string, { examples?: Record<string, { value: ProblemExample }> }>)['application/problem+json'];
    for (const { value } of Object.values(media?.examples ?? {})) if (!found.has(value.type)) found.set(value.type, value);
    for (const child of Object.values(node)) walk(child);
  };
  parts.forEach(walk);
  for (const problem of others) {
    const value = JSON.parse(problemJson(problem, '', reference)) as ProblemExample;
    if (!found.has(value.type)) found.set(value.type, value);
  }
  const lines = [...found.values()]
    .sort((a, b) => a.status - b.status || a.type.localeCompare(b.type))
    .map((p) => {
      const anchor = p.type.slice(p.type.indexOf('#') + 1);
      return `- <a id="${anchor}"></a>**${p.status} ${p.title}** (\`${anchor.replace(/^problem-/, '')}\`): ${p.detail}`;
    });
  return `#### Problem types\n\nThe \`type\` of every error names one of these; each with an example of its \`detail\`.\n\n${lines.join('\n')}`;
}
