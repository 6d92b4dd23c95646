/**
 * A form that cannot be accepted as sent: the HTML filter renders `view` again with `locals`
 * (the values kept, the field errors) and the status, 422 unless a limit says 429. Thrown by
 * controllers, so a handler reads as its happy path.
 */
export class FormInvalid extends Error {
  constructor(
    readonly view: string,
    readonly locals: { values: Record<string, string>; errors: Record<string, string> } & Record<string, unknown>,
    readonly status = 422,
    /** With a 429: when to come back (the filter sets Retry-After). */
    readonly retryAfterSeconds?: number,
  ) {
    super(Object.values(locals.errors)[0] ?? 'The form has errors.');
  }
}
