import { localDate, longDate } from './dates';
import { dayIn, formatInstant } from './time-zones';

/** Whole numbers for people: 48356 → "48,356". */
const COUNT_FORMAT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
export const formatCount = (n: number): string => COUNT_FORMAT.format(n);

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
  /**
   * An instant in the reader's zone, with the zone named: "30 Nov 2026, 15:04 CET". `{{datetime at}}`
   * reads the zone of the page (its member, or an email's `timeZone`); UTC where there is none.
   */
  datetime: (d: unknown, ...rest: unknown[]) => {
    const at = instant(d);
    return at ? formatInstant(at, readerZone(rest)) : '';
  },
  isoDate: (d: unknown) => (d instanceof Date ? d.toISOString() : ''),
  /** The calendar day of an instant in the reader's zone: "2026-11-26". */
  day: (d: unknown, ...rest: unknown[]) => {
    const at = instant(d);
    return at ? dayIn(at, readerZone(rest)) : '';
  },
  /** A local calendar date for people: "2026-12-31" → "31 December 2026". */
  longDate: (date: unknown) => (typeof date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(date) ? longDate(date) : ''),
  /** The local date of an instant in a time zone, for people: (billingEndsAt, "Europe/Berlin"). */
  longLocalDate: (d: unknown, timeZone: unknown) =>
    d instanceof Date && typeof timeZone === 'string' ? longDate(localDate(d, timeZone)) : '',
};

/** An instant from a page (a Date) or from an email's stored payload (its ISO string). */
function instant(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/.test(value)) return new Date(value);
  return undefined;
}

type HelperOptions = { data?: { root?: { member?: { timeZone?: unknown }; timeZone?: unknown } } };

/**
 * The zone a helper shows times in: one given in the template (`{{datetime at zone}}`), else the
 * signed-in member's, else an email's `timeZone`, else UTC (a signed-out page).
 */
function readerZone(args: unknown[]): string {
  const [explicit] = args;
  if (typeof explicit === 'string' && explicit) return explicit;
  const root = (args[args.length - 1] as HelperOptions | undefined)?.data?.root;
  const zone = root?.member?.timeZone ?? root?.timeZone;
  return typeof zone === 'string' && zone ? zone : 'UTC';
}
