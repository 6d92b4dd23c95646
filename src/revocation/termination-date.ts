import { addDays, daysBetween, endOfMonth, localDate, startOfLocalDay } from '../common/dates';
import type { Alignment } from '../partners/entities/contract-terms.embeddable';

/**
 * The revocation date rules of DESIGN.md, as pure functions of the request instant and the
 * partner's terms. Dates are local calendar dates (YYYY-MM-DD) in the billing time zone; the
 * calendar arithmetic is common/dates.ts.
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
  const daysLeft = daysBetween(localDate(now, timeZone), terminationDate);
  const label = daysLeft > 1 ? `${daysLeft} days left` : daysLeft === 1 ? '1 day left' : daysLeft === 0 ? 'Last day today' : 'Ended';
  return { daysLeft, label };
}
