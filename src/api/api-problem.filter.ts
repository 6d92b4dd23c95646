import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { DATABASE_BUSY_RETRY_SECONDS, isDatabaseBusy, logDatabaseBusy } from '../common/database-busy';
import { DomainError } from '../common/domain-error';
import type { HubRequest } from '../common/http';
import type { Logger } from '../common/logger';
import { isMalformedPathEscape } from '../common/path-params.pipe';
import { NulByteRefused } from '../common/sanitize';
import { logSecurityEvent } from '../common/security-log';
import { allowedMethods, type RouteShape } from './allowed-methods';
import { DuplicateJsonKey } from './json-body';
import { ApiProblem, problemType, referenceOf, type ApiReference } from './problem';

/** Whether a request is the API's: its answers, errors included, are JSON. In any case, as Express routes. */
export const isApiPath = (path: string) => /^\/api(\/|$)/i.test(path);

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Authentication required',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Request too large',
  415: 'Unsupported media type',
  422: 'The request is not valid',
  429: 'Too many requests',
  503: 'Service busy',
};

/**
 * Every failure under /api as an RFC 9457 problem (application/problem+json): ours, Nest's (an
 * unknown route), Express middleware's (a body that is not JSON, too large), a database too
 * busy to answer in time (503 with Retry-After, logged as a warning) and anything unexpected,
 * which is logged with its request id and answered with that id only: never a stack, SQL or a
 * path. Everything else goes to the pages' filter.
 */
@Catch()
export class ApiProblemFilter implements ExceptionFilter {
  private allowed?: (path: string) => string[];

  constructor(
    private readonly logger: Logger,
    private readonly pages: ExceptionFilter,
    /** The APIs' routes, asked for at the first unknown address (the app is running by then). */
    private readonly routes: () => readonly RouteShape[] = () => [],
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<HubRequest>();
    if (!isApiPath(req.path)) return this.pages.catch(error, host) as void;
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) {
      this.logger.error({ requestId: req.id, err: error }, 'error after the response started');
      res.destroy();
      return;
    }
    const problem = this.wrongMethod(req, problemOf(error));
    if (problem.status === 503) {
      logDatabaseBusy(this.logger, req, error);
    } else if (problem.status >= 500) {
      this.logger.error({ requestId: req.id, err: error, method: req.method, path: req.path }, 'unhandled error');
    } else if (problem.status === 403) {
      logSecurityEvent(this.logger, req, 'access.denied', { status: 403 });
    }
    for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
    res
      .status(problem.status)
      .type('application/problem+json')
      .send(problemJson(problem, req.id, referenceOf(req.path)));
  }

  /** A 404 for an address that answers other methods is a 405 naming them. */
  private wrongMethod(req: HubRequest, problem: ApiProblem): ApiProblem {
    if (problem.status !== 404) return problem;
    this.allowed ??= allowedMethods(this.routes());
    const methods = this.allowed(req.path);
    return methods.length && !methods.includes(req.method) ? GENERIC_PROBLEMS.methodNotAllowed(methods) : problem;
  }
}

/** An answer's problem+json body; its type points into the reference of the API that answers. */
export function problemJson(problem: ApiProblem, requestId: string, reference: ApiReference): string {
  return JSON.stringify({
    type: problemType(problem.slug, reference),
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    ...(problem.errors && { errors: problem.errors }),
    request_id: requestId,
  });
}

/** The problem any failure is answered with: 500 for anything not known to be the client's. */
export function problemOf(error: unknown): ApiProblem {
  if (error instanceof ApiProblem) return error;
  if (error instanceof DomainError) {
    const retry = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    const headers: Record<string, string> = typeof retry === 'number' ? { 'Retry-After': String(retry) } : {};
    return new ApiProblem(
      error.status,
      error.code.replace(/[._]/g, '-'),
      TITLES[error.status] ?? 'Error',
      error.message,
      undefined,
      headers,
    );
  }
  // body-parser's failures (Nest hands them over wrapped, with the original as the cause).
  const parser = (error instanceof HttpException ? error.cause : error) as { type?: unknown } | undefined;
  if (parser?.type === 'entity.too.large') return GENERIC_PROBLEMS.bodyTooLarge();
  if (parser?.type === 'entity.parse.failed') return GENERIC_PROBLEMS.bodyNotJson();
  if (parser instanceof DuplicateJsonKey)
    return ApiProblem.invalid([{ field: `body.${parser.key}`, message: 'Given more than once: send each field once.' }]);
  if (error instanceof NulByteRefused)
    return ApiProblem.invalid([{ field: error.field, message: 'Contains a NUL character, which is not allowed.' }]);
  if (isMalformedPathEscape(error)) return ApiProblem.notFound();
  if (isDatabaseBusy(error)) return GENERIC_PROBLEMS.busy();
  if (error instanceof HttpException) {
    const status = error.getStatus();
    if (status === 404) return GENERIC_PROBLEMS.unknownAddress();
    if (status < 500) return generic(status, 'The request could not be handled.');
  }
  // Other Express middleware report client errors with a status.
  const e = error as { status?: unknown; statusCode?: unknown };
  const status = Number(e?.status ?? e?.statusCode);
  if (status >= 400 && status < 500) return generic(status, 'The request could not be read.');
  return GENERIC_PROBLEMS.internal();
}

/** What problemOf answers the failures that no route words with: the OpenAPI document shows them. */
export const GENERIC_PROBLEMS = {
  bodyTooLarge: () => generic(413, 'The request body is larger than the API accepts.'),
  bodyNotJson: () => generic(400, 'The request body is not valid JSON.'),
  unknownAddress: () =>
    ApiProblem.notFound(
      'There is nothing at this address: the reference lists every route (/api/docs; the operator API’s, /api/operator/docs).',
    ),
  /** 405 with Allow: the address is the API's, the method is not one it answers there. */
  methodNotAllowed: (methods: string[]) =>
    new ApiProblem(405, 'method-not-allowed', TITLES[405], `This address answers ${methods.join(', ')}.`, undefined, {
      Allow: methods.join(', '),
    }),
  /** The database did not answer in time (a lock held elsewhere, no connection free): a retry may well succeed. */
  busy: () =>
    new ApiProblem(
      503,
      'busy',
      TITLES[503],
      `The hub is too busy to answer this right now. Retry in ${DATABASE_BUSY_RETRY_SECONDS} seconds; a write may be retried with the same Idempotency-Key.`,
      undefined,
      { 'Retry-After': String(DATABASE_BUSY_RETRY_SECONDS) },
    ),
  internal: () =>
    new ApiProblem(500, 'internal', 'Internal error', 'Something went wrong on our side. Quote the request_id when you report it.'),
};

function generic(status: number, detail: string): ApiProblem {
  const title = TITLES[status] ?? 'Error';
  return new ApiProblem(status, title.toLowerCase().replace(/\s+/g, '-'), title, detail);
}
