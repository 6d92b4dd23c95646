/** The parts of an OpenAPI 3.1 document the tests read to validate answers against it. */
export type OpenApiDoc = {
  paths: Record<string, Record<string, { responses: Record<string, { $ref?: string; content?: Record<string, { schema: object }> }> }>>;
  components: { schemas: Record<string, object>; responses: Record<string, { content: Record<string, { schema: { $ref: string } }> }> };
};
