/**
 * A business failure with the sentence the user sees. Each module lists its own in
 * `<module>.errors.ts`; the HTML filter shows them on an error page with their status.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 422,
  ) {
    super(message);
  }
}
