import { localDate, longDate } from './dates';

/** The HTML a `memo` block rendered, per the object it rendered. */
const memoized = new WeakMap<object, string>();

/**
 * Handlebars helpers shared by every view. They return plain strings, which hbs escapes; only
 * the `memo` block returns HTML, rendered by its own template.
 */
export const viewHelpers = {
  /**
   * `{{#memo set}}…{{/memo}}` renders its block once per object, with that object as its only
   * context, and reuses the HTML wherever the same object comes again. For the presenter's
   * shared, frozen status sets: the block must read nothing but its context (no `../`).
   */
  memo: (context: unknown, options: { fn(context: unknown): string }) => {
    if (typeof context !== 'object' || context === null) return options.fn(context);
    let html = memoized.get(context);
    if (html === undefined) {
      html = options.fn(context);
      memoized.set(context, html);
    }
    return html;
  },
  eq: (a: unknown, b: unknown) => a === b,
  or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
  /** ISO date-time in UTC, shown as "2026-11-26 10:00 UTC". */
  datetime: (d: unknown) => (d instanceof Date ? `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC` : ''),
  isoDate: (d: unknown) => (d instanceof Date ? d.toISOString() : ''),
  /** A local calendar date for people: "2026-12-31" → "31 December 2026". */
  longDate: (date: unknown) => (typeof date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(date) ? longDate(date) : ''),
  /** The local date of an instant in a time zone, for people: (billingEndsAt, "Europe/Berlin"). */
  longLocalDate: (d: unknown, timeZone: unknown) =>
    d instanceof Date && typeof timeZone === 'string' ? longDate(localDate(d, timeZone)) : '',
};
