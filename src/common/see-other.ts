/**
 * Thrown by a page handler that turns out to be a redirect (a search with one exact match
 * goes straight to the number): HtmlExceptionFilter answers 303 to `location`, which must be a
 * local path the handler built.
 */
export class SeeOther extends Error {
  constructor(readonly location: string) {
    super(`See ${location}`);
  }
}
