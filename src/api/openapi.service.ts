import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { TObject, TSchema } from '@sinclair/typebox';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { GENERIC_PROBLEMS } from './api-problem.filter';
import { IDEMPOTENCY_HEADER, REPLAYED_HEADER } from './idempotency.service';
import { openApiParameters, plainSchema, problemResponse, problemTypesText } from './openapi-schema';
import { API_REFERENCES, ApiProblem } from './problem';
import { API_BODY_LIMIT_MB, readInput, type ApiRoute } from './route';
import { API_ROUTE } from './route-metadata';
import { Problem } from './schemas';

/** The failures every route may answer with, what they mean, and the problems the code answers them with. */
const ERRORS: Record<string, { description: string; examples: ApiProblem[] }> = {
  '400': { description: 'The body could not be read: it is not JSON.', examples: [GENERIC_PROBLEMS.bodyNotJson()] },
  '401': {
    description:
      'Missing, unknown, expired or revoked key, or an Authorization header sent twice or not in the Bearer scheme (WWW-Authenticate: Bearer).',
    examples: [
      ApiProblem.keyMissing(),
      ApiProblem.keyRefused(),
      ApiProblem.authorizationUnreadable(true),
      ApiProblem.authorizationUnreadable(false),
    ],
  },
  '403': { description: 'The key’s scope is too small.', examples: [ApiProblem.forbiddenScope()] },
  '404': { description: 'No such resource for your partner.', examples: [ApiProblem.notFound()] },
  '413': { description: `The body is larger than ${API_BODY_LIMIT_MB} MB.`, examples: [GENERIC_PROBLEMS.bodyTooLarge()] },
  '415': { description: 'The body is not JSON (Content-Type: application/json).', examples: [ApiProblem.notJson()] },
  '429': {
    description: 'The key’s rate limit was reached; Retry-After says when to come back.',
    examples: [ApiProblem.rateLimited(12)],
  },
  '503': {
    description:
      'The database was too busy to answer in time (a lock held elsewhere, no connection free); Retry-After says when to try again.',
    examples: [GENERIC_PROBLEMS.busy()],
  },
};
const INVALID = 'Invalid or unknown parameters; `errors` lists them.';
/** A write's 400: the shared one, and the Idempotency-Key it needs. */
const IDEMPOTENT_400 = {
  description: 'The request could not be read: a body that is not JSON, or no valid Idempotency-Key.',
  examples: [...ERRORS['400'].examples, ApiProblem.idempotencyKeyMissing(), ApiProblem.idempotencyKeyInvalid()],
};
const PARTNER = API_REFERENCES.partner;

/**
 * What the 422 examples send: an unknown parameter (and field), and a bad value for each of the
 * others that a route takes. The route's own check words the answer.
 */
const UNKNOWN = 'colour';
const INVALID_QUERY = { [UNKNOWN]: 'red', lifecycle: 'broken', limit: '5000' };
const INVALID_BODY = { [UNKNOWN]: 'red', dry_run: 'yes' };

function invalidRequest(route: ApiRoute): ApiProblem {
  const sent = (values: Record<string, unknown>, schema: TSchema | undefined) =>
    Object.fromEntries(
      Object.entries(values).filter(([key]) => key === UNKNOWN || Object.hasOwn((schema as TObject | undefined)?.properties ?? {}, key)),
    );
  return ApiProblem.invalid(readInput(route, sent(INVALID_QUERY, route.query), route.body ? sent(INVALID_BODY, route.body) : {}).problems);
}

/**
 * The OpenAPI 3.1 document, made from the route declarations of the controllers themselves
 * (found through Nest's discovery): what validates a request is what the document says.
 */
@Injectable()
export class OpenApiService implements OnModuleInit {
  private document?: Record<string, unknown>;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.document = this.build(this.routes());
  }

  get(): Record<string, unknown> {
    return this.document!;
  }

  /** Every handler declared with ApiEndpoint, in a stable order. */
  routes(): ApiRoute[] {
    const routes: ApiRoute[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const proto = wrapper.metatype?.prototype as Record<string, unknown> | undefined;
      if (!proto) continue;
      for (const name of this.scanner.getAllMethodNames(proto)) {
        const route = Reflect.getMetadata(API_ROUTE, proto[name] as object) as ApiRoute | undefined;
        if (route) routes.push(route);
      }
    }
    return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
  }

  private build(routes: ApiRoute[]): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const route of routes) {
      (paths[route.path] ??= {})[route.method.toLowerCase()] = this.operation(route);
    }
    const components = {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: phk_live_<key id>_<secret>.' } },
      schemas: { Problem: plainSchema(Problem) },
      responses: Object.fromEntries(
        Object.entries(ERRORS).map(([status, { description, examples }]) => [
          `Error${status}`,
          { ...problemResponse(description, examples, PARTNER), headers: errorHeaders(status) },
        ]),
      ),
      headers: HEADERS,
    };
    return {
      openapi: '3.1.0',
      info: {
        title: 'Partner Hub API',
        version: '1.0.0',
        description:
          'Your numbers, clients and statuses as JSON. Authenticate with `Authorization: Bearer phk_live_…` (keys are made by owners at [API keys](/settings/api-keys)). Errors are RFC 9457 problem details.\n\n' +
          problemTypesText(
            [paths, components],
            [GENERIC_PROBLEMS.unknownAddress(), GENERIC_PROBLEMS.methodNotAllowed(['GET', 'HEAD']), GENERIC_PROBLEMS.internal()],
            PARTNER,
          ),
      },
      servers: [{ url: `${this.config.baseUrl}/api/v1` }],
      security: [{ apiKey: [] }],
      tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
      paths,
      components,
    };
  }

  private operation(route: ApiRoute): Record<string, unknown> {
    // Any request may carry a body, a GET's too: every route reads it as JSON or refuses it (400, 413, 415).
    const shared = [
      '400',
      '401',
      ...(route.scope === 'read_write' ? ['403'] : []),
      ...(route.params ? ['404'] : []),
      '413',
      '415',
      '429',
      '503',
    ].filter((status) => !route.errors?.[Number(status)] && !(status === '400' && route.idempotent));
    const successes = route.successes ?? { [route.status ?? 200]: 'OK' };
    const mediaType = route.mediaType ?? 'application/json';
    const own = (status: number) => route.errorExamples?.[status] ?? [];
    return {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description && { description: route.description }),
      tags: [route.tag],
      'x-scope': route.scope,
      parameters: [
        ...openApiParameters(route.params, 'path'),
        ...openApiParameters(route.query, 'query'),
        ...(route.idempotent ? [IDEMPOTENCY_PARAMETER] : []),
      ],
      ...(route.body && {
        requestBody: {
          required: false,
          content: { 'application/json': { schema: plainSchema(route.body), ...(route.bodyExamples && { examples: route.bodyExamples }) } },
        },
      }),
      responses: {
        ...Object.fromEntries(
          Object.entries(successes).map(([status, description]) => [
            status,
            {
              description,
              headers: { ...RATE_LIMIT_HEADERS, ...(route.idempotent && { [REPLAYED_HEADER]: ref('IdempotentReplayed') }) },
              content: { [mediaType]: { schema: plainSchema(route.response), example: route.examples[Number(status)] } },
            },
          ]),
        ),
        ...Object.fromEntries(shared.map((s) => [s, { $ref: `#/components/responses/Error${s}` }])),
        ...(route.idempotent && {
          400: { ...problemResponse(IDEMPOTENT_400.description, IDEMPOTENT_400.examples, PARTNER), headers: errorHeaders('400') },
        }),
        422: {
          ...problemResponse(
            route.errors?.[422] ?? INVALID,
            [invalidRequest(route), ...(route.idempotent ? [ApiProblem.idempotencyKeyReused()] : []), ...own(422)],
            PARTNER,
          ),
          headers: errorHeaders('422'),
        },
        ...Object.fromEntries(
          Object.entries(route.errors ?? {})
            .filter(([status]) => status !== '422')
            .map(([status, description]) => [
              status,
              {
                ...problemResponse(description, own(Number(status)), PARTNER),
                // A refusal is kept for its Idempotency-Key as an answer is, and replayed marked so.
                headers: {
                  ...errorHeaders(status),
                  // A request whose Idempotency-Key another one still holds is told when to retry.
                  ...(route.idempotent && {
                    [REPLAYED_HEADER]: ref('IdempotentReplayed'),
                    ...(status === '409' && { 'Retry-After': ref('RetryAfter') }),
                  }),
                },
              },
            ]),
        ),
      },
    };
  }
}

const IDEMPOTENCY_PARAMETER = {
  name: IDEMPOTENCY_HEADER,
  in: 'header',
  required: true,
  description:
    'A key you make for this request (a UUID): retrying with the same key and body replays the first answer for 24 hours instead of acting again; the same key with another request is a 422. Missing or malformed: 400.',
  // In the schema, not the parameter: swagger-ui would fill "Try it out" with it, and every try would send the same key.
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[!-~]+$', examples: ['5f0c3a4e-2b1d-4c8e-9a7f-1e2d3c4b5a69'] },
};

/** The response headers the document names, once each (components.headers). */
const HEADERS = {
  IdempotentReplayed: {
    description: '`true` when this is the kept answer of an earlier request with the same Idempotency-Key.',
    schema: { type: 'string', const: 'true' },
  },
  RateLimitLimit: { description: 'Requests the key may make in a minute.', schema: { type: 'integer', examples: [600] } },
  RateLimitRemaining: {
    description: 'Requests the key has left in this minute (as this server last counted them).',
    schema: { type: 'integer', minimum: 0, examples: [599] },
  },
  RateLimitReset: {
    description: 'When the minute’s count starts again, in Unix seconds.',
    schema: { type: 'integer', examples: [1796990460] },
  },
  RetryAfter: { description: 'Seconds to wait before the next request.', schema: { type: 'integer', minimum: 1, examples: [12] } },
  WwwAuthenticate: {
    description: 'The Bearer scheme, and why the key was refused (`invalid_token`, `insufficient_scope`).',
    schema: { type: 'string', examples: ['Bearer realm="partner-hub", error="invalid_token"'] },
  },
};
const ref = (name: keyof typeof HEADERS) => ({ $ref: `#/components/headers/${name}` });
const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': ref('RateLimitLimit'),
  'X-RateLimit-Remaining': ref('RateLimitRemaining'),
  'X-RateLimit-Reset': ref('RateLimitReset'),
};
/** An error's headers: the key's count once the key was known (every status but 401), and why. */
function errorHeaders(status: string): Record<string, unknown> {
  if (status === '401') return { 'WWW-Authenticate': ref('WwwAuthenticate') };
  if (status === '403') return { 'WWW-Authenticate': ref('WwwAuthenticate'), ...RATE_LIMIT_HEADERS };
  if (status === '429' || status === '503') return { 'Retry-After': ref('RetryAfter'), ...RATE_LIMIT_HEADERS };
  return RATE_LIMIT_HEADERS;
}
