import {
  applyDecorators,
  createParamDecorator,
  HttpCode,
  RequestMapping,
  RequestMethod,
  UseGuards,
  type ExecutionContext,
} from '@nestjs/common';
import type { Static, TObject, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { Request } from 'express';
import { ApiProblem, coerceQuery, fieldProblems, refuseBodyNotJson } from '../api';
import { Public } from '../common/public.decorator';
import { OperatorKeyGuard } from './operator-key.guard';

/** Where the operator API lives. */
export const OPERATOR_V1 = '/api/operator/v1';

/**
 * An operator API route: method, path and TypeBox schemas. The one declaration registers the
 * Nest route (OperatorEndpoint), validates the request (OperatorInput) and is the route's
 * entry in the operator OpenAPI document (operator-openapi.ts).
 */
export interface OperatorRouteSpec<P extends TObject, Q extends TObject, B extends TSchema, R extends TSchema> {
  method: 'PUT';
  /** The OpenAPI path under OPERATOR_V1, with `{name}` parameters. */
  path: string;
  operationId: string;
  summary: string;
  description: string;
  tag: string;
  params: P;
  query: Q;
  body: B;
  response: R;
  /** The failures the route answers, by status, as the document describes them. */
  errors: Record<string, string>;
  /** The document's examples: a body, the answer, and failures (by status) as the code throws them. */
  examples: { body: unknown; response: unknown; errors: Record<string, unknown[]> };
}

export interface OperatorRoute<
  P extends TObject = TObject,
  Q extends TObject = TObject,
  B extends TSchema = TSchema,
  R extends TSchema = TSchema,
> extends OperatorRouteSpec<P, Q, B, R> {
  checks: { params: TypeCheck<P>; query: TypeCheck<Q>; body: TypeCheck<B> };
}

/** What a handler receives: the request's parts, valid against the route's schemas. */
export interface OperatorInputOf<Rt> {
  params: Rt extends OperatorRoute<infer P> ? Static<P> : never;
  query: Rt extends OperatorRoute<TObject, infer Q> ? Static<Q> : never;
  body: Rt extends OperatorRoute<TObject, TObject, infer B> ? Static<B> : never;
}

export function defineOperatorRoute<P extends TObject, Q extends TObject, B extends TSchema, R extends TSchema>(
  spec: OperatorRouteSpec<P, Q, B, R>,
): OperatorRoute<P, Q, B, R> {
  return {
    ...spec,
    checks: { params: TypeCompiler.Compile(spec.params), query: TypeCompiler.Compile(spec.query), body: TypeCompiler.Compile(spec.body) },
  };
}

/** The handler's Nest route (`{partner}` becomes `:partner`), public to the session guard and guarded by the operator key check. */
export function OperatorEndpoint(route: OperatorRoute) {
  const path = `${OPERATOR_V1}${route.path}`.replace(/\{([A-Za-z_]+)\}/g, ':$1');
  return applyDecorators(
    RequestMapping({ path, method: RequestMethod[route.method] }),
    HttpCode(200),
    Public(),
    UseGuards(OperatorKeyGuard),
  );
}

/**
 * The request's parameters, query and body, checked against the route's schemas (after the
 * key guard): a malformed path parameter is a 404 like an unknown one; an unknown query
 * parameter or body field, or a value of the wrong kind, is a 422 naming it.
 */
export const OperatorInput = createParamDecorator((route: OperatorRoute, context: ExecutionContext) => {
  const req = context.switchToHttp().getRequest<Request>();
  if (!route.checks.params.Check(req.params)) throw ApiProblem.notFound();
  refuseBodyNotJson(req);
  const { query, problems } = readOperatorInput(route, req.query as Record<string, unknown>, req.body);
  if (problems.length) throw ApiProblem.invalid(problems);
  return { params: req.params, query, body: req.body as unknown };
});

/** A request's query as the handler gets it, and what is wrong with it and the body: shared by OperatorInput and the document's 422 example. */
export function readOperatorInput(route: OperatorRoute, rawQuery: Record<string, unknown>, body: unknown) {
  const query = coerceQuery(route.query, rawQuery);
  return { query, problems: [...fieldProblems(route.checks.query, query), ...fieldProblems(route.checks.body, body, 'body')] };
}
