import { Controller, Get, Inject } from '@nestjs/common';
import {
  API_REFERENCES,
  ApiProblem,
  GENERIC_PROBLEMS,
  openApiParameters,
  plainSchema,
  Problem,
  problemResponse,
  problemTypesText,
} from '../api';
import { Public } from '../common/public.decorator';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { putChannels } from './channels.controller';
import { OperatorKeyProblems } from './operator-api.errors';
import { OPERATOR_V1, readOperatorInput, type OperatorRoute } from './operator-route';

/** Every route of the operator API. */
export const OPERATOR_ROUTES: OperatorRoute[] = [putChannels];
const REFERENCE = API_REFERENCES.operator;

/** The failures every route may answer with, as the key check and the body parser answer them. */
const SHARED_EXAMPLES: Record<string, ApiProblem[]> = {
  '400': [GENERIC_PROBLEMS.bodyNotJson()],
  '401': [OperatorKeyProblems.missing(), OperatorKeyProblems.refused(), OperatorKeyProblems.partnerKey()],
  '413': [GENERIC_PROBLEMS.bodyTooLarge()],
  '415': [ApiProblem.notJson()],
  '503': [GENERIC_PROBLEMS.busy()],
};

/**
 * The operator API's own OpenAPI 3.1 document, apart from the partners' (/api/v1/openapi.json):
 * another audience, another kind of key. Made from the route declarations that validate the
 * requests. Public: it describes the API, it opens nothing.
 */
@Public()
@Controller()
export class OperatorDocsController {
  private readonly document: Record<string, unknown>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.document = operatorDocument(config.baseUrl, OPERATOR_ROUTES);
  }

  @Get(`${OPERATOR_V1}/openapi.json`)
  get() {
    return this.document;
  }
}

/**
 * Its reference is /api/operator/docs, where the `type` of its problems points (the list of
 * problem types is in the description).
 */
function operatorDocument(baseUrl: string, routes: OperatorRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Partner Hub operator API',
      version: '1.0.0',
      description:
        'For the provider’s own systems: load partners’ data. Authenticate with `Authorization: Bearer phk_op_…` (made with `npm run cli -- operator:key create`). Errors are RFC 9457 problem details.\n\n' +
        problemTypesText(
          [paths],
          [GENERIC_PROBLEMS.unknownAddress(), GENERIC_PROBLEMS.methodNotAllowed(['GET', 'HEAD']), GENERIC_PROBLEMS.internal()],
          REFERENCE,
        ),
    },
    servers: [{ url: `${baseUrl}${OPERATOR_V1}` }],
    security: [{ operatorKey: [] }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { operatorKey: { type: 'http', scheme: 'bearer', description: 'An operator key: phk_op_<key id>_<secret>.' } },
      schemas: { Problem: plainSchema(Problem) },
    },
  };
}

function operation(route: OperatorRoute): Record<string, unknown> {
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: route.description,
    tags: [route.tag],
    parameters: [...openApiParameters(route.params, 'path'), ...openApiParameters(route.query, 'query')],
    requestBody: { required: true, content: { 'application/json': { schema: plainSchema(route.body), example: route.examples.body } } },
    responses: {
      '200': {
        description: 'OK',
        content: { 'application/json': { schema: plainSchema(route.response), example: route.examples.response } },
      },
      ...Object.fromEntries(
        Object.entries(route.errors).map(([status, description]) => [
          status,
          {
            ...problemResponse(
              description,
              [
                ...(status === '422' ? [invalidRequest(route)] : []),
                ...(SHARED_EXAMPLES[status] ?? []),
                ...(route.examples.errors[status] ?? []),
              ],
              REFERENCE,
            ),
            ...(status === '401' && { headers: { 'WWW-Authenticate': WWW_AUTHENTICATE } }),
            ...(status === '503' && { headers: { 'Retry-After': RETRY_AFTER } }),
          },
        ]),
      ),
    },
  };
}

const WWW_AUTHENTICATE = {
  description: 'The Bearer scheme, and why the key was refused (`invalid_token`).',
  schema: { type: 'string', examples: ['Bearer realm="partner-hub", error="invalid_token"'] },
};

const RETRY_AFTER = {
  description: 'Seconds to wait before sending the request again.',
  schema: { type: 'integer', minimum: 1, examples: [5] },
};

/** The 422 of a request with an unknown query parameter and body field, as the route's own check words it. */
function invalidRequest(route: OperatorRoute): ApiProblem {
  return ApiProblem.invalid(readOperatorInput(route, { colour: 'red' }, { colour: 'red' }).problems);
}
