import type { Alignment } from '../partners/entities/contract-terms.embeddable';

/**
 * The revocation date rules of DESIGN.md, as pure functions of the request instant and the
 * partner's terms. Dates are local calendar dates (YYYY-MM-DD) in the billing time zone;
 * instants are computed from the zone's real offsets (Intl), never by adding 24 hours, so a
 * daylight-saving change moves the instant, not the local midnight.
 */
export interface RevocationTerms {
  noticeDays: number;
  alignment: Alignment;
  removalGraceDays: number;
  billingTimeZone: string;
}

export interface RevocationSchedule {
  /** The local date on whose end billing to the partner ends. */
  terminationDate: string;
  /** The local midnight that ends the termination date. */
  billingEndsAt: Date;
  /** The local midnight `removalGraceDays` days later: the number leaves the hub. */
  removeAt: Date;
}

const DAY_MS = 86_400_000;
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
function offsetAt(instant: number, timeZone: string): number {
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

/** The local calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(instant: Date, timeZone: string): string {
  const wall = wallClock(instant.getTime(), timeZone);
  return formatDate(wall - (((wall % DAY_MS) + DAY_MS) % DAY_MS));
}

/** A calendar date plus (or minus) whole days. */
export function addDays(date: string, days: number): string {
  return formatDate(parseDate(date) + days * DAY_MS);
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

/**
 * Termination date = the request's local date + notice days, then with `end_of_month` the
 * last day of that month. Billing ends when that local day ends; removal follows after the
 * grace period, also at a local midnight.
 */
export function revocationSchedule(requestedAt: Date, terms: RevocationTerms): RevocationSchedule {
  let terminationDate = addDays(localDate(requestedAt, terms.billingTimeZone), terms.noticeDays);
  if (terms.alignment === 'end_of_month') terminationDate = endOfMonth(terminationDate);
  const billingEndsAt = startOfLocalDay(addDays(terminationDate, 1), terms.billingTimeZone);
  const removeAt = startOfLocalDay(addDays(terminationDate, 1 + terms.removalGraceDays), terms.billingTimeZone);
  return { terminationDate, billingEndsAt, removeAt };
}

export interface Countdown {
  /** Whole local days from today until the termination date: 0 on the day itself, < 0 after. */
  daysLeft: number;
  /** "31 days left", "1 day left", "Last day today", "Ended". */
  label: string;
}

/** Days left until a termination date, counted in the billing time zone. */
export function countdown(terminationDate: string, now: Date, timeZone = 'UTC'): Countdown {
  const daysLeft = Math.round((parseDate(terminationDate) - parseDate(localDate(now, timeZone))) / DAY_MS);
  const label = daysLeft > 1 ? `${daysLeft} days left` : daysLeft === 1 ? '1 day left' : daysLeft === 0 ? 'Last day today' : 'Ended';
  return { daysLeft, label };
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
