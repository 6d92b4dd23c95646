import {
  applyDecorators,
  Injectable,
  UseInterceptors,
  type CallHandler,
  type NestInterceptor,
  createParamDecorator,
  HttpCode,
  RequestMapping,
  RequestMethod,
  SetMetadata,
  UseGuards,
  type ExecutionContext,
} from '@nestjs/common';
import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { Public } from '../common/public.decorator';
import type { ApiScope } from './entities/api-key.entity';
import { ApiKeyGuard } from './api-key.guard';
import { ApiProblem, type FieldProblem } from './problem';
import { coerceQuery, fieldProblems, MAX_PROBLEMS } from './request-check';
import { API_ROUTE } from './route-metadata';

/**
 * The one way to declare a Partner API route: its method, path, scope and TypeBox schemas.
 * The same declaration registers the Nest route, guards it with the key check, validates the
 * request (ApiInput) and becomes the route's entry in the OpenAPI document (OpenApiService).
 */
export interface ApiRouteSpec<P extends TObject, Q extends TObject, B extends TSchema, R extends TSchema> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The OpenAPI path under the API's base, with `{name}` parameters: `/numbers/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  scope: ApiScope;
  params?: P;
  query?: Q;
  body?: B;
  /** The success answer's status (200 unless given) and schema. */
  status?: number;
  response: R;
  /** The success answer's media type: JSON unless given (`text/csv`, with a string schema). */
  mediaType?: string;
  /** The success statuses and what each means, when there are several (a dry run's 200, a change's 201). */
  successes?: Record<number, string>;
  /** The failures of this route beyond the ones every route has, and what they mean here. */
  errors?: Record<number, string>;
  /** The document's examples of a body, by name: what a client sends, each with what it does. */
  bodyExamples?: Record<string, { summary: string; value: Static<B> }>;
  /** The document's example of each success answer, by status (`examples.ts`: made by the presenters). */
  examples: Record<number, unknown>;
  /** The document's examples of the failures in `errors`, by status: errors the code throws, answered as the API answers them. */
  errorExamples?: Record<number, unknown[]>;
  /**
   * It changes something, once per Idempotency-Key (IdempotencyService): the header is
   * required and documented, with the replay header and the key's own failures.
   */
  idempotent?: boolean;
}

export interface ApiRoute<
  P extends TObject = TObject,
  Q extends TObject = TObject,
  B extends TSchema = TSchema,
  R extends TSchema = TSchema,
> extends ApiRouteSpec<P, Q, B, R> {
  /** Where the API lives: `/api/v1`. */
  base: string;
  checks: { params?: TypeCheck<P>; query?: TypeCheck<Q>; body?: TypeCheck<B> };
}

/** What a handler receives: the request's parts, valid against the route's schemas. */
export interface ApiInputOf<Rt> {
  params: Rt extends ApiRoute<infer P> ? Static<P> : never;
  query: Rt extends ApiRoute<TObject, infer Q> ? Static<Q> : never;
  body: Rt extends ApiRoute<TObject, TObject, infer B> ? Static<B> : never;
}

export const API_V1 = '/api/v1';
/** The media types the API reads a body of: app.setup's JSON parser takes these. */
export const JSON_TYPES = ['application/json', 'application/*+json'];
/** The largest body of the partners' API, in MB: app.setup's JSON parser and the document's 413 say it. */
export const API_BODY_LIMIT_MB = 1;

export function defineRoute<P extends TObject, Q extends TObject, B extends TSchema, R extends TSchema>(
  spec: ApiRouteSpec<P, Q, B, R>,
): ApiRoute<P, Q, B, R> {
  return {
    ...spec,
    base: API_V1,
    checks: {
      params: spec.params && TypeCompiler.Compile(spec.params),
      query: spec.query && TypeCompiler.Compile(spec.query),
      body: spec.body && TypeCompiler.Compile(spec.body),
    },
  };
}

/** An object of parameters: nothing else is accepted (an unknown parameter is a 422, not ignored). */
export const Params = <T extends Record<string, TSchema>>(properties: T) => Type.Object(properties, { additionalProperties: false });

/**
 * The decorator of a handler: the Nest route (`{id}` becomes `:id`), public to the session's
 * MemberGuard and guarded by the key check instead.
 */
export function ApiEndpoint(route: ApiRoute) {
  const path = `${route.base}${route.path}`.replace(/\{([A-Za-z_]+)\}/g, ':$1');
  return applyDecorators(
    RequestMapping({ path, method: RequestMethod[route.method] }),
    HttpCode(route.status ?? 200),
    Public(),
    SetMetadata(API_ROUTE, route),
    UseGuards(ApiKeyGuard),
    UseInterceptors(ApiInputCheck),
  );
}

/** The route a handler was declared with. */
export function routeOf(context: ExecutionContext): ApiRoute {
  return Reflect.getMetadata(API_ROUTE, context.getHandler()) as ApiRoute;
}

/**
 * Checks the request's parameters, query and body against the route's schemas before the
 * handler runs, whether or not the handler reads them (ApiInput hands them over).
 */
@Injectable()
export class ApiInputCheck implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request & { apiInput?: unknown }>();
    req.apiInput = checkedInput(routeOf(context), req);
    return next.handle();
  }
}

/**
 * Only JSON is read: a body of another type would pass for none (a dry run sent as text would
 * act, a form-encoded load would be refused field by field). A zero-length body (what fetch and
 * most HTTP libraries send with a body-less POST or DELETE) is none, whatever its type.
 */
export function refuseBodyNotJson(req: Request): void {
  if (req.headers['content-length'] !== '0' && req.is(JSON_TYPES) === false) throw ApiProblem.notJson();
}

function checkedInput(route: ApiRoute, req: Request) {
  // A malformed id is no different from an unknown one: 404, like the pages.
  if (route.checks.params && !route.checks.params.Check(req.params)) throw ApiProblem.notFound();
  refuseBodyNotJson(req);
  // No body is an empty one: the route's schema says whether that will do.
  const { query, body, problems } = readInput(route, req.query as Record<string, unknown>, req.body ?? {});
  if (problems.length) throw ApiProblem.invalid(problems);
  return { params: req.params, query, body };
}

/**
 * A request's query (its text read as the declared types) and body, and what is wrong with them
 * for the route: the 422's field problems, none when they are valid.
 */
export function readInput(route: ApiRoute, rawQuery: Record<string, unknown>, body: unknown) {
  const { checks } = route;
  const query = checks.query ? coerceQuery(checks.query.Schema(), rawQuery) : {};
  const problems = [
    ...(checks.query ? fieldProblems(checks.query, query) : unexpected(rawQuery)),
    ...(checks.body ? fieldProblems(checks.body, body, 'body') : unexpectedFields(body)),
  ];
  return { query, body, problems };
}

/** The request's parameters, query and body, as ApiInputCheck found them valid. */
export const ApiInput = createParamDecorator(
  (_: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<{ apiInput?: unknown }>().apiInput,
);

/** Every parameter of a route that declares none is unexpected. */
function unexpected(query: Record<string, unknown>): FieldProblem[] {
  return Object.keys(query)
    .slice(0, MAX_PROBLEMS)
    .map((field) => ({ field: field.slice(0, 100), message: 'Unexpected parameter.' }));
}

/** A route that takes no body takes no fields either (an empty object will do). */
function unexpectedFields(body: unknown): FieldProblem[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [{ field: 'body', message: 'Send no body.' }];
  return Object.keys(body)
    .slice(0, MAX_PROBLEMS)
    .map((field) => ({ field: `body.${field}`.slice(0, 100), message: 'Unexpected field.' }));
}
