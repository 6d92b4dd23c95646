import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Response } from 'supertest';
import { expect } from 'vitest';

/** The parts of an OpenAPI 3.1 document the tests read to validate answers against it. */
export type OpenApiDoc = {
  info: { description: string };
  paths: Record<string, Record<string, { responses: Record<string, { $ref?: string; content?: Record<string, { schema: object }> }> }>>;
  components: { schemas: Record<string, object>; responses?: Record<string, { content: Record<string, { schema: { $ref: string } }> }> };
};

/**
 * Checks answers of an API against its OpenAPI document (/api/v1/openapi.json, or the operator
 * API's) with Ajv (JSON Schema 2020-12): the status is documented for the operation, the body
 * (JSON, or a CSV's text) matches its schema and media type, and a problem's `type` points into
 * the API's reference (`reference`), naming an entry of the document's list of problem types.
 */
export class ApiContract {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly path?: string;
  private readonly reference: string;
  checked = 0;

  /** `path`: the operation's path when a suite tests one only. */
  constructor(
    private readonly doc: OpenApiDoc,
    options: { path?: string; reference?: string } = {},
  ) {
    this.path = options.path;
    this.reference = options.reference ?? '/api/docs';
    addFormats(this.ajv);
  }

  expect(res: Response, method: string, template = this.path!): void {
    const op = this.doc.paths[template]?.[method.toLowerCase()];
    expect(op, `${method} ${template} is documented`).toBeDefined();
    const documented = op.responses[String(res.status)];
    expect(documented, `${method} ${template} documents ${res.status}: ${res.text?.slice(0, 200)}`).toBeDefined();
    const response = documented.$ref ? this.doc.components.responses![documented.$ref.split('/').pop()!] : documented;
    const [mediaType, { schema }] = Object.entries(response.content!)[0];
    expect(res.headers['content-type']).toContain(mediaType);
    const resolved = '$ref' in schema ? this.doc.components.schemas[(schema.$ref as string).split('/').pop()!] : schema;
    // A body read as raw bytes (a suite that checks them) is read here as the client would.
    const text = Buffer.isBuffer(res.body) ? res.body.toString('utf8') : undefined;
    const body: unknown = text === undefined ? res.body : mediaType === 'text/csv' ? text : JSON.parse(text);
    const validate = this.ajv.compile(resolved);
    expect(validate(body) ? [] : validate.errors, `${method} ${template} ${res.status}`).toEqual([]);
    if (mediaType === 'application/problem+json') {
      const type = (body as { type: string }).type;
      expect(type.startsWith(`${this.reference}#problem-`), `${type} points into ${this.reference}`).toBe(true);
      expect(type).toMatch(/#problem-[a-z-]+$/);
      expect(this.doc.info.description, `${method} ${template} ${res.status}: ${type} is listed`).toContain(`id="${type.split('#')[1]}"`);
    }
    this.checked++;
  }
}
