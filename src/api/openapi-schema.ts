import type { TObject, TSchema } from '@sinclair/typebox';

/** The parts of an OpenAPI 3.1 document that both APIs' documents make from TypeBox schemas. */

/** Plain JSON Schema: TypeBox's symbols dropped. */
export const plainSchema = (schema: TSchema): Record<string, unknown> => JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;

/** The OpenAPI parameters of a route's path or query schema; an array is a repeated parameter. */
export function openApiParameters(schema: TObject | undefined, where: 'path' | 'query'): Record<string, unknown>[] {
  if (!schema) return [];
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([name, property]) => {
    const { description, ...rest } = plainSchema(property);
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(description !== undefined && { description }),
      schema: rest,
      ...(rest.type === 'array' && { style: 'form', explode: true }),
    };
  });
}
