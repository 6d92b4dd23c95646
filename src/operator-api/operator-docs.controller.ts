import { Controller, Get, Inject } from '@nestjs/common';
import { openApiParameters, plainSchema, Problem, problemResponse } from '../api';
import { Public } from '../common/public.decorator';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { putChannels } from './channels.controller';
import { OPERATOR_V1, type OperatorRoute } from './operator-route';

const ROUTES: OperatorRoute[] = [putChannels];

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
    this.document = operatorDocument(config.baseUrl, ROUTES);
  }

  @Get(`${OPERATOR_V1}/openapi.json`)
  get() {
    return this.document;
  }
}

function operatorDocument(baseUrl: string, routes: OperatorRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Partner Hub operator API',
      version: '1.0.0',
      description:
        'For the provider’s own systems: load partners’ data. Authenticate with `Authorization: Bearer phk_op_…` (made with `npm run cli -- operator:key create`). Errors are RFC 9457 problem details.',
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
          problemResponse(description, route.examples.errors[status] ?? []),
        ]),
      ),
    },
  };
}
