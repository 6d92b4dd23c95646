/** One invalid field of a request: where it is (`limit`, `lifecycle.0`) and what is wrong. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * An RFC 9457 problem the API answers with (application/problem+json). `slug` names its type,
 * listed on the API's reference page (problemType); `headers` go with it (WWW-Authenticate,
 * Retry-After).
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

  /**
   * RFC 6750 §3: the scheme, and why what was sent is refused: no error code when nothing was,
   * `invalid_request` for a header that cannot be read, `invalid_token` for a key that does not open.
   */
  static unauthorized(detail: string, error: 'invalid_token' | 'invalid_request' | null = 'invalid_token'): ApiProblem {
    return new ApiProblem(401, 'unauthorized', 'Authentication required', detail, undefined, {
      'WWW-Authenticate': error ? `Bearer realm="partner-hub", error="${error}"` : 'Bearer realm="partner-hub"',
    });
  }

  /** An Authorization header sent twice, or in another scheme than Bearer. */
  static authorizationUnreadable(several: boolean): ApiProblem {
    return ApiProblem.unauthorized(
      several ? 'Send one Authorization header: this request has several.' : 'Use the Bearer scheme: Authorization: Bearer phk_live_….',
      'invalid_request',
    );
  }

  /** Malformed, unknown, wrong, expired and revoked keys get the same answer (keyRefused). */
  static keyMissing(): ApiProblem {
    return ApiProblem.unauthorized('Send an API key: Authorization: Bearer phk_live_….', null);
  }

  static keyRefused(): ApiProblem {
    return ApiProblem.unauthorized('The API key is not valid: it is unknown, expired or revoked.');
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

  static notJson(): ApiProblem {
    return new ApiProblem(
      415,
      'unsupported-media-type',
      'Unsupported media type',
      'Send the body as JSON, with Content-Type: application/json.',
    );
  }

  /** 400, as the IETF draft on the Idempotency-Key header says for a missing one. */
  static idempotencyKeyMissing(): ApiProblem {
    return new ApiProblem(
      400,
      'idempotency-key-missing',
      'Idempotency-Key required',
      'This request changes something: send an Idempotency-Key header (a UUID you make for this request, at most 255 characters) and the same key when you retry it.',
    );
  }

  static idempotencyKeyInvalid(): ApiProblem {
    return new ApiProblem(
      400,
      'idempotency-key-invalid',
      'Idempotency-Key not valid',
      'An Idempotency-Key is 1 to 255 visible ASCII characters, without spaces: a UUID is best.',
    );
  }

  /** 422: the key names another request (IETF draft; Stripe answers 400). */
  static idempotencyKeyReused(): ApiProblem {
    return new ApiProblem(
      422,
      'idempotency-key-reused',
      'Idempotency-Key used for another request',
      'This Idempotency-Key was sent with another request (method, path or body) within the last 24 hours. Use a new key for a new request. Nothing was done.',
      [{ field: 'Idempotency-Key', message: 'Already used for another request.' }],
    );
  }

  static idempotencyKeyInUse(): ApiProblem {
    return new ApiProblem(
      409,
      'idempotency-key-in-use',
      'Request still running',
      'A request with this Idempotency-Key is still being handled. Retry it in a moment: you will get its answer.',
      undefined,
      { 'Retry-After': '1' },
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

/** Each API's reference page, which lists the problem types its answers name. */
export const API_REFERENCES = { partner: '/api/docs', operator: '/api/operator/docs' } as const;
export type ApiReference = (typeof API_REFERENCES)[keyof typeof API_REFERENCES];

/** The reference of the API a request path is in: the operator API's own, or the partners'. */
export const referenceOf = (path: string): ApiReference =>
  /^\/api\/operator\//i.test(path) ? API_REFERENCES.operator : API_REFERENCES.partner;

/**
 * Problem types' URIs: relative, resolved against the API's address (RFC 9457 §3.1.1), each an
 * entry of the list of problem types on its API's reference page.
 */
export const problemType = (slug: string, reference: ApiReference) => `${reference}#problem-${slug}`;
