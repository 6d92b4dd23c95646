import { longDate, localDate } from '../revocation/termination-date';
import { FAMILIES, statusAnchor, statusDef, type FamilyKey } from '../statuses/catalogue';

/** Handlebars helpers shared by every view. They return plain strings: hbs escapes them. */
export const viewHelpers = {
  eq: (a: unknown, b: unknown) => a === b,
  not: (a: unknown) => !a,
  or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
  and: (...args: unknown[]) => args.slice(0, -1).every(Boolean),
  /** ISO date-time in UTC, shown as "2026-11-26 10:00 UTC". */
  datetime: (d: unknown) => (d instanceof Date ? `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC` : ''),
  isoDate: (d: unknown) => (d instanceof Date ? d.toISOString() : ''),
  statusLabel: (family: FamilyKey, value: string) => statusDef(family, value)?.label ?? value,
  statusColour: (family: FamilyKey, value: string) => statusDef(family, value)?.colour ?? 'grey',
  statusMeaning: (family: FamilyKey, value: string) => statusDef(family, value)?.meaning ?? '',
  statusNext: (family: FamilyKey, value: string) => statusDef(family, value)?.next ?? '',
  statusAnchor: (family: FamilyKey, value: string) => statusAnchor(family, value),
  familyLabel: (family: FamilyKey) => FAMILIES[family]?.label ?? family,
  /** A local calendar date for people: "2026-12-31" → "31 December 2026". */
  longDate: (date: unknown) => (typeof date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(date) ? longDate(date) : ''),
  /** The local date of an instant in a time zone, for people: (billingEndsAt, "Europe/Berlin"). */
  longLocalDate: (d: unknown, timeZone: unknown) =>
    d instanceof Date && typeof timeZone === 'string' ? longDate(localDate(d, timeZone)) : '',
  /** {{#with (obj a=1 b=2)}}: builds a small object for a partial. */
  obj: (options: { hash: Record<string, unknown> }) => options.hash,
};
