/**
 * Calendar dates (YYYY-MM-DD) and the instants that start them in a time zone. Instants are
 * computed from the zone's real offsets (Intl), never by adding 24 hours, so a daylight-saving
 * change moves the instant, not the local midnight.
 */

export const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall clock in `timeZone` at `instant`, as if it were UTC (epoch ms, whole seconds). */
function wallClock(instant: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instant))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
}

/** The zone's offset from UTC at an instant, in ms (Berlin in winter: +3 600 000). */
export function offsetAt(instant: number, timeZone: string): number {
  const whole = Math.floor(instant / 1000) * 1000;
  return wallClock(whole, timeZone) - whole;
}

function parseDate(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`Not a date: "${date}"`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

function formatDate(utcMidnight: number): string {
  return new Date(utcMidnight).toISOString().slice(0, 10);
}

/**
 * Whether a text starting with YYYY-MM-DD names a day of the calendar: `Date` reads 2026-02-30
 * as 2 March, so its parse alone lets an impossible date in as another day.
 */
export function isCalendarDate(text: string): boolean {
  const day = text.slice(0, 10);
  return /^\d{4}-\d{2}-\d{2}$/.test(day) && formatDate(parseDate(day)) === day;
}

/** The local calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(instant: Date, timeZone: string): string {
  const wall = wallClock(instant.getTime(), timeZone);
  return formatDate(wall - (((wall % DAY_MS) + DAY_MS) % DAY_MS));
}

/** A calendar date plus (or minus) whole days. */
export function addDays(date: string, days: number): string {
  return formatDate(parseDate(date) + days * DAY_MS);
}

/** Whole days from one calendar date to another: negative when `to` comes first. */
export function daysBetween(from: string, to: string): number {
  return Math.round((parseDate(to) - parseDate(from)) / DAY_MS);
}

/** The last day of the date's month. */
export function endOfMonth(date: string): string {
  const d = new Date(parseDate(date));
  return formatDate(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0));
}

/**
 * The first instant of a local date: its midnight, or, where a daylight-saving jump skips
 * midnight, the first instant that is on that date.
 */
export function startOfLocalDay(date: string, timeZone: string): Date {
  const guess = parseDate(date);
  // The offset in force at local midnight is one of the offsets around it.
  const offsets = new Set([offsetAt(guess - DAY_MS, timeZone), offsetAt(guess, timeZone), offsetAt(guess + DAY_MS, timeZone)]);
  const candidates = [...offsets].map((o) => guess - o).sort((a, b) => a - b);
  const exact = candidates.find((c) => wallClock(c, timeZone) === guess);
  if (exact !== undefined) return new Date(exact);
  const onDate = candidates.find((c) => localDate(new Date(c), timeZone) === date);
  return new Date(onDate ?? candidates[0]);
}

/** A calendar date for people: "2026-12-31" → "31 December 2026". */
export function longDate(date: string): string {
  let text = longDateCache.get(date);
  if (text === undefined) {
    if (longDateCache.size > 5000) longDateCache.clear();
    longDateCache.set(date, (text = longDates.format(parseDate(date))));
  }
  return text;
}

const longDateCache = new Map<string, string>();

const longDates = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });
const shortDates = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' });

/** A calendar date where space is short: "2026-12-31" → "31 Dec 2026". */
export function shortDate(date: string): string {
  return shortDates.format(parseDate(date));
}
