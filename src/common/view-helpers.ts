import { localDate, longDate } from './dates';
import { dayIn, formatInstant } from './time-zones';

/** Whole numbers for people: 48356 → "48,356". */
const COUNT_FORMAT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
export const formatCount = (n: number): string => COUNT_FORMAT.format(n);

/** The HTML each `memo` block rendered, per the object it rendered and the block's name. */
const memoized = new WeakMap<object, Map<string, string>>();

/**
 * An email address cut where a line may break sensibly: after the @ and before each dot. The
 * page puts a <wbr> between the parts; only a part longer than the line breaks inside.
 */
export function emailParts(email: string): string[] {
  return email.split(/(?<=@)|(?=\.)/);
}

/**
 * Handlebars helpers shared by every view. They return plain strings (or lists of them), which
 * hbs escapes; only the `memo` block returns HTML, rendered by its own template.
 */
export const viewHelpers = {
  /**
   * `{{#memo object "name"}}…{{/memo}}` renders its block once per object, with that object as
   * its only context, and reuses the HTML wherever the block of that name meets the same object
   * again. For the presenter's shared, frozen status views and sets: the block must read nothing
   * but its context (no `../`), and two blocks that render one object differently need two names.
   */
  memo: (context: unknown, ...rest: unknown[]) => {
    const options = rest[rest.length - 1] as { fn(context: unknown): string };
    const name = typeof rest[0] === 'string' ? rest[0] : '';
    if (typeof context !== 'object' || context === null) return options.fn(context);
    let byName = memoized.get(context);
    if (!byName) memoized.set(context, (byName = new Map()));
    let html = byName.get(name);
    if (html === undefined) {
      html = options.fn(context);
      byName.set(name, html);
    }
    return html;
  },
  /** `{{#each (emailParts address)}}{{#if @index}}<wbr>{{/if}}{{this}}{{/each}}`: an address that wraps at sensible points. */
  emailParts: (email: unknown) => (typeof email === 'string' ? emailParts(email) : []),
  eq: (a: unknown, b: unknown) => a === b,
  /**
   * `(navCurrent path "/activity")`: the aria-current of a navigation link: `page` on its own
   * page, `true` on a page under it (an event of Activity, a number of WhatsApp Accounts), else
   * ''. Further arguments name other sections the link stands for (`"/clients"`).
   */
  navCurrent: (path: unknown, ...rest: unknown[]): string => {
    const sections = rest.slice(0, -1).filter((s): s is string => typeof s === 'string');
    if (typeof path !== 'string' || !sections.length) return '';
    if (path === sections[0]) return 'page';
    return sections.some((s) => path === s || path.startsWith(`${s}/`)) ? 'true' : '';
  },
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
