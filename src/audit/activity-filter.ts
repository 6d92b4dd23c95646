import { addDays, startOfLocalDay } from '../common/dates';
import type { FieldErrors } from '../common/forms';
import { safeLocalPath } from '../common/local-path';
import { kindSelection, type KindSelection } from './activity-kinds';

/** What the Activity filter bar asks for, as typed (the form shows it back). */
export interface ActivityFilterValues {
  person: string;
  kind: string;
  from: string;
  to: string;
}

/** The filter as the query needs it: actions, an instant range, a cursor. */
export interface ActivityFilter {
  values: ActivityFilterValues;
  personId?: string;
  kind?: KindSelection;
  /** First instant shown (inclusive) and first instant not shown (exclusive), in the reader's zone. */
  since?: Date;
  until?: Date;
  after?: { at: Date; id: string };
}

export type ParsedActivityFilter = { ok: true; filter: ActivityFilter } | { ok: false; values: ActivityFilterValues; errors: FieldErrors };

/**
 * Reads the query string. A person can put anything in the address, so a value no form of ours
 * makes (an unknown kind, a person the log does not name, another partner's person alike, a
 * repeated parameter, a date that is none) comes back as that field's error (422), the other
 * filters kept; a page link no pager of ours made, as `after`'s error. `isLoggedPerson` says who
 * the Person filter offers.
 */
export function parseActivityFilter(
  query: Record<string, unknown>,
  timeZone: string,
  isLoggedPerson: (id: string) => boolean,
): ParsedActivityFilter {
  const errors: FieldErrors = {};
  const field = (key: keyof ActivityFilterValues, once: string): string => {
    const value = query[key];
    if (value === undefined) return '';
    if (typeof value === 'string') return value.trim();
    errors[key] = once;
    return '';
  };
  const values: ActivityFilterValues = {
    person: field('person', 'Choose one person.'),
    kind: field('kind', 'Choose one kind of event.'),
    from: field('from', 'Enter one date.'),
    to: field('to', 'Enter one date.'),
  };
  const after = query.after === undefined || query.after === '' ? undefined : decodeCursor(query.after);
  if (after === null) errors.after = 'This page link is not valid. Start again from the newest.';
  // The same sentence for an id of nobody and another partner's person: nothing tells them apart.
  if (values.person && !isLoggedPerson(values.person)) errors.person = 'This person is not in your Activity. Choose one from the list.';
  const kind = values.kind ? kindSelection(values.kind) : undefined;
  if (values.kind && !kind) errors.kind = 'This kind of event is not known. Choose one from the list.';
  if (values.from && !isCalendarDate(values.from)) errors.from = 'Enter a date such as 2026-11-30.';
  if (values.to && !isCalendarDate(values.to)) errors.to = 'Enter a date such as 2026-11-30.';
  if (!errors.from && !errors.to && values.from && values.to && values.from > values.to)
    errors.to = 'The end date is before the start date.';
  if (Object.keys(errors).length) return { ok: false, values, errors };

  return {
    ok: true,
    filter: {
      values,
      personId: values.person || undefined,
      kind,
      // Whole days in the reader's zone: "to" includes its day, up to the next local midnight.
      since: values.from ? startOfLocalDay(values.from, timeZone) : undefined,
      until: values.to ? startOfLocalDay(addDays(values.to, 1), timeZone) : undefined,
      after: after ?? undefined,
    },
  };
}

/** The list with a filter, for the pager's links (empty values left out): `/activity` with none. */
export function filterPath(values: ActivityFilterValues, after?: string): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value) params.set(key, value);
  if (after) params.set('after', after);
  const query = params.toString();
  return query ? `/activity?${query}` : '/activity';
}

/**
 * Where an event's page leads back to: the list it was opened from, filters and page as they
 * were, when the value is that (a path of this site's Activity list); undefined for anything else.
 */
export function activityListPath(value: unknown): string | undefined {
  const path = safeLocalPath(value);
  return path && /^\/activity(\?|$)/.test(path) ? path : undefined;
}

/** The keyset cursor: the created-at and id of the last event shown. */
export function encodeCursor(e: { createdAt: Date; id: string }): string {
  return Buffer.from(`${e.createdAt.toISOString()}|${e.id}`).toString('base64url');
}

/**
 * The cursor encodeCursor wrote, or null: that shape only, at an instant both databases compare
 * (PostgreSQL has no year 0: a 500 there) and no event predates, on a day of the calendar.
 */
function decodeCursor(raw: unknown): { at: Date; id: string } | null {
  if (typeof raw !== 'string' || raw.length > 100) return null;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|([A-Za-z0-9_-]{22})$/.exec(Buffer.from(raw, 'base64url').toString('utf8'));
  if (!m) return null;
  const at = new Date(m[1]);
  // Date reads 30 February as 2 March: only a date that reads back as written is one.
  return !Number.isNaN(at.getTime()) && at.getTime() >= 0 && at.toISOString() === m[1] ? { at, id: m[2] } : null;
}

/**
 * A real day (no 31 February) between 1970, before any event, and 9998, whose next day still
 * has a four-digit year (Date misreads years below 100 too).
 */
function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m || Number(m[1]) < 1970 || Number(m[1]) > 9998) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}
