import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Response } from 'supertest';
import { expect } from 'vitest';
import type { ApiAnswer } from './app';

/** A media type of a request body or a response: its schema and its examples (one, or named ones). */
type Media = { schema: { $ref?: string }; example?: unknown; examples?: Record<string, { value: unknown }> };

/** A parameter of an operation, with its schema's examples. */
type Parameter = { name: string; in: string; description?: string; schema: { examples?: unknown[] } };

/** A response header as documented, or a reference to one of the document's headers. */
type Header = { $ref?: string; schema?: { type?: string } };

/** A request body or an answer, or a reference to one of the document's answers. */
type Part = { $ref?: string; content?: Record<string, Media>; headers?: Record<string, Header> };

/** The parts of an OpenAPI 3.1 document the tests read to validate answers and examples against it. */
export type OpenApiDoc = {
  info: { description: string };
  paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: Part; responses: Record<string, Part> }>>;
  components: {
    schemas: Record<string, object>;
    responses?: Record<string, { content: Record<string, Media>; headers?: Record<string, Header> }>;
    headers?: Record<string, Header>;
  };
};

/** The headers the hub's APIs set on their answers: each one an answer carries must be documented for it. */
const API_HEADERS = [
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'retry-after',
  'www-authenticate',
  'idempotent-replayed',
];

/**
 * Checks answers of an API against its OpenAPI document (/api/v1/openapi.json, or the operator
 * API's) with Ajv (JSON Schema 2020-12): the status is documented for the operation, the body
 * (JSON, or a CSV's text) matches its schema and media type, the API's own headers it carries
 * are documented for it and match their schemas, and a problem's `type` points into the API's
 * reference (`reference`), naming an entry of the document's list of problem types.
 */
export class ApiContract {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly path?: string;
  private readonly reference: string;
  /** How many answers were checked, by `expect` and by `expectEvery`. */
  checked = 0;
  /** How many answers `expectEvery` was given under the base, and how many of them it checked. */
  readonly every = { recorded: 0, checked: 0 };

  /** Where the document's paths are, under the server: `/api/v1`, or the operator API's. */
  private readonly base: string;

  /** `path`: the operation's path when a suite tests one only. */
  constructor(
    private readonly doc: OpenApiDoc,
    options: { path?: string; reference?: string; base?: string } = {},
  ) {
    this.path = options.path;
    this.reference = options.reference ?? '/api/docs';
    this.base = options.base ?? '/api/v1';
    addFormats(this.ajv);
  }

  /**
   * Checks, as `expect` does, every answer of `answers` (TestApp.apiAnswers) to an operation the
   * document has: under its base, a path of the document (literal ones before templated ones:
   * `/numbers/export.csv` is not `/numbers/{id}`) and a method it documents there. The others
   * (405s, unknown addresses, the document itself) are their own tests'. Returns how many.
   */
  expectEvery(answers: ApiAnswer[]): number {
    const templates = Object.keys(this.doc.paths)
      .map((template) => ({
        template,
        match: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
        params: template.split('{').length,
      }))
      .sort((a, b) => a.params - b.params);
    let checked = 0;
    for (const { method, path, res } of answers) {
      if (!path.startsWith(`${this.base}/`)) continue;
      this.every.recorded++;
      const rest = path.slice(this.base.length);
      const found = templates.find((t) => t.match.test(rest) && this.doc.paths[t.template][method.toLowerCase()]);
      if (!found) continue;
      this.expect(res, method, found.template);
      checked++;
    }
    this.every.checked += checked;
    return checked;
  }

  /**
   * The document's examples of request bodies and answers, by `<method> <path> <status or "body">`,
   * each checked against its schema; `missing` names the bodies and answers that show none.
   */
  examples(): { examples: Record<string, unknown[]>; missing: string[] } {
    const examples: Record<string, unknown[]> = {};
    const missing: string[] = [];
    for (const [path, operations] of Object.entries(this.doc.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        const parts: Record<string, Part> = { ...(op.requestBody ? { body: op.requestBody } : {}), ...op.responses };
        for (const [part, documented] of Object.entries(parts)) {
          for (const [mediaType, media] of Object.entries(this.resolvePart(documented).content ?? {})) {
            const where = `${method} ${path} ${part}`;
            const values = media.examples ? Object.values(media.examples).map((e) => e.value) : [media.example];
            if (values.length === 0 || values.some((value) => value === undefined)) {
              missing.push(`${where} ${mediaType}`);
              continue;
            }
            for (const value of values) this.expectValid(this.resolveSchema(media.schema), value, `${where} ${mediaType}`);
            examples[where] = values;
          }
        }
      }
    }
    return { examples, missing };
  }

  /** Fails with Ajv's errors, under `where`, unless `value` matches `schema`. */
  expectValid(schema: object, value: unknown, where: string): void {
    const validate = this.ajv.compile(schema);
    expect(validate(value) ? [] : validate.errors, where).toEqual([]);
  }

  /** A body or an answer as written, or the document's answer it refers to. */
  private resolvePart(part: Part): Part {
    return part.$ref ? this.doc.components.responses![part.$ref.split('/').pop()!] : part;
  }

  private resolveSchema(schema: { $ref?: string }): object {
    return schema.$ref ? this.doc.components.schemas[schema.$ref.split('/').pop()!] : schema;
  }

  expect(res: Response, method: string, template = this.path!): void {
    const op = this.doc.paths[template]?.[method.toLowerCase()];
    expect(op, `${method} ${template} is documented`).toBeDefined();
    const documented = op.responses[String(res.status)];
    expect(documented, `${method} ${template} documents ${res.status}: ${res.text?.slice(0, 200)}`).toBeDefined();
    const [mediaType, { schema }] = Object.entries(this.resolvePart(documented).content!)[0];
    expect(res.headers['content-type']).toContain(mediaType);
    // A body read as raw bytes (a suite that checks them) is read here as the client would.
    const text = Buffer.isBuffer(res.body) ? res.body.toString('utf8') : undefined;
    const body: unknown = text === undefined ? res.body : mediaType === 'text/csv' ? text : JSON.parse(text);
    this.expectValid(this.resolveSchema(schema), body, `${method} ${template} ${res.status}`);
    const headers = Object.fromEntries(Object.entries(this.resolvePart(documented).headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    for (const name of API_HEADERS) {
      const value = res.headers[name] as string | undefined;
      if (value === undefined) continue;
      const header = headers[name]?.$ref ? this.doc.components.headers?.[headers[name].$ref!.split('/').pop()!] : headers[name];
      expect(header, `${method} ${template} ${res.status} documents its ${name} header`).toBeDefined();
      const typed = header!.schema?.type === 'integer' ? Number(value) : value;
      this.expectValid(header!.schema ?? {}, typed, `${method} ${template} ${res.status} ${name}`);
    }
    if (mediaType === 'application/problem+json') {
      const type = (body as { type: string }).type;
      expect(type.startsWith(`${this.reference}#problem-`), `${type} points into ${this.reference}`).toBe(true);
      expect(type).toMatch(/#problem-[a-z-]+$/);
      expect(this.doc.info.description, `${method} ${template} ${res.status}: ${type} is listed`).toContain(`id="${type.split('#')[1]}"`);
    }
    this.checked++;
  }
}
