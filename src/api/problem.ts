/** One invalid field of a request: where it is (`limit`, `lifecycle.0`) and what is wrong. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * An RFC 9457 problem the API answers with (application/problem+json). `slug` names its type,
 * documented under /api/docs; `headers` go with it (WWW-Authenticate, Retry-After).
 */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail: string,
    readonly errors?: FieldProblem[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }

  static notFound(detail = 'There is no such resource.'): ApiProblem {
    return new ApiProblem(404, 'not-found', 'Not found', detail);
  }

  static invalid(errors: FieldProblem[]): ApiProblem {
    return new ApiProblem(422, 'invalid-request', 'The request is not valid', 'Some parameters are not valid: see errors.', errors);
  }

  static unauthorized(detail: string): ApiProblem {
    // RFC 6750: the scheme, and why the token was refused.
    return new ApiProblem(401, 'unauthorized', 'Authentication required', detail, undefined, {
      'WWW-Authenticate': 'Bearer realm="partner-hub", error="invalid_token"',
    });
  }

  static forbiddenScope(): ApiProblem {
    return new ApiProblem(
      403,
      'insufficient-scope',
      'The key cannot do this',
      'This request needs a key with the read_write scope.',
      undefined,
      {
        'WWW-Authenticate': 'Bearer realm="partner-hub", error="insufficient_scope", scope="read_write"',
      },
    );
  }

  static rateLimited(retryAfterSeconds: number): ApiProblem {
    return new ApiProblem(
      429,
      'rate-limited',
      'Too many requests',
      `This key made too many requests. Try again in ${retryAfterSeconds} seconds.`,
      undefined,
      { 'Retry-After': String(retryAfterSeconds) },
    );
  }
}

/** Problem types' URIs: relative, resolved against the API's address (RFC 9457 §3.1.1). */
export const problemType = (slug: string) => `/api/docs#problem-${slug}`;
