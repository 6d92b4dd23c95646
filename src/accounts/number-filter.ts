import { BadRequestException } from '@nestjs/common';
import { isCalendarDate } from '../common/dates';
import { isEntityId } from '../common/ids';
import { FAMILIES, familyValues, isStatus } from '../statuses';

/**
 * What a partner is looking at on /accounts (and a client's page): search, status filters,
 * sort. The list, the counts and the CSV download all read the same filter from the same
 * query string, so "Download CSV" exports exactly what the list shows.
 */

/** Status families a partner can filter and sort on, with the query parameter of each. */
export const FILTER_FAMILIES = ['lifecycle', 'waba', 'verification', 'onBehalf', 'registration', 'consent', 'billing'] as const;
export type FilterFamily = (typeof FILTER_FAMILIES)[number];

/** What the list sorts on: a column of the table. */
export const SORT_FIELDS = ['created', 'phone', 'client', 'display', ...FILTER_FAMILIES] as const;
export type SortField = (typeof SORT_FIELDS)[number];
export type SortDir = 'asc' | 'desc';
export interface Sort {
  field: SortField;
  dir: SortDir;
}
/** Newest first: the list's order until the person picks another. */
export const DEFAULT_SORT: Sort = { field: 'created', dir: 'desc' };
/** The direction a column sorts in when first clicked. */
export const defaultDir = (field: SortField): SortDir => (field === 'created' ? 'desc' : 'asc');

export const PAGE_SIZES = [25, 50, 100] as const;
export const DEFAULT_PAGE_SIZE = 50;

export const MAX_SEARCH_LENGTH = 200;
/** A search longer than MAX_SEARCH_LENGTH: a download refuses it (400), a list shows it as the field's error (422). */
export const SEARCH_TOO_LONG = `Search for at most ${MAX_SEARCH_LENGTH} characters.`;
/** A number waiting in a pending state longer than this needs attention. */
export const STUCK_AFTER_DAYS = 7;

export interface NumberFilter {
  q?: string;
  /** The values wanted per family: a number matches any of them (and every family given). */
  status: Partial<Record<FilterFamily, readonly string[]>>;
  attention: boolean;
  sort: Sort;
  /** Only this client's numbers: the client page's path, or `client=` (the CSV of a client page). */
  clientId?: string;
  /** Only the numbers with these channel ids of the provider: the Partner API's `provider_id`. */
  providerIds?: readonly string[];
}

export const emptyFilter = (extra: Partial<NumberFilter> = {}): NumberFilter => ({
  status: {},
  attention: false,
  sort: DEFAULT_SORT,
  ...extra,
});

const KNOWN_PARAMS = new Set<string>([
  'q',
  'sort',
  'dir',
  'attention',
  'after',
  'before',
  'size',
  'bom',
  'back',
  'client',
  ...FILTER_FAMILIES,
]);

function single(query: Record<string, unknown>, key: string): string | undefined {
  const v = query[key];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new BadRequestException(`"${key}" must be given once.`);
  return v;
}

/** Every value of a parameter that may repeat (`lifecycle=error&lifecycle=suspended`), empty ones left out. */
function many(query: Record<string, unknown>, key: string): string[] {
  const v = query[key];
  const values = v === undefined ? [] : Array.isArray(v) ? v : [v];
  if (values.length > 50 || values.some((x) => typeof x !== 'string')) throw new BadRequestException(`"${key}" is not valid.`);
  return [...new Set((values as string[]).filter((x) => x !== ''))];
}

/**
 * Reads the sort: `sort=<column>&dir=asc|desc`, or `sort=<column>:<dir>` (the form's one
 * select); the links of earlier versions (`sort=newest`) still work.
 */
function parseSort(query: Record<string, unknown>): Sort {
  const [raw, inline] = (single(query, 'sort') ?? '').split(':', 2) as [string, string | undefined];
  const dir = inline ?? single(query, 'dir');
  if (dir !== undefined && dir !== 'asc' && dir !== 'desc') throw new BadRequestException('"dir" is asc or desc.');
  if (raw === '' || raw === 'newest') return { field: 'created', dir: (dir as SortDir) ?? 'desc' };
  if (!(SORT_FIELDS as readonly string[]).includes(raw)) throw new BadRequestException(`Unknown sort "${raw.slice(0, 40)}".`);
  const field = raw as SortField;
  return { field, dir: (dir as SortDir) ?? defaultDir(field) };
}

/**
 * Reads the filter from a query string; a known parameter with a value it cannot have is a 400.
 * A parameter it does not know is a 400 too, unless `unknown` is `ignore`: a page's link still
 * opens when an app or a mail tool appended its own (`utm_source`, `fbclid`), as any web page
 * does, while a download gives exactly what was asked or nothing.
 */
export function parseNumberFilter(
  query: Record<string, unknown>,
  { unknown = 'refuse' }: { unknown?: 'refuse' | 'ignore' } = {},
): NumberFilter {
  for (const key of Object.keys(query)) {
    if (!KNOWN_PARAMS.has(key) && unknown === 'refuse') throw new BadRequestException(`Unknown parameter "${key.slice(0, 40)}".`);
  }
  const q = single(query, 'q')?.trim();
  if (q && q.length > MAX_SEARCH_LENGTH) throw new BadRequestException(SEARCH_TOO_LONG);
  // Whatever reaches here (a download's link): never a search PostgreSQL cannot run.
  if (q?.includes('\u0000')) throw new BadRequestException('The search contains a NUL character, which is not allowed.');
  const status: NumberFilter['status'] = {};
  for (const family of FILTER_FAMILIES) {
    const values = many(query, family);
    for (const value of values) {
      if (!isStatus(family, value) || value === 'removed') {
        throw new BadRequestException(`Unknown ${FAMILIES[family].label.toLowerCase()} "${value.slice(0, 40)}".`);
      }
    }
    // In the catalogue's order, so that one choice always gives one query string (and one SQL text).
    if (values.length) status[family] = familyValues(family).filter((v) => values.includes(v));
  }
  const attention = single(query, 'attention');
  if (attention !== undefined && attention !== '1') throw new BadRequestException('"attention" can only be 1.');
  const clientId = single(query, 'client');
  if (clientId !== undefined && !isEntityId(clientId)) throw new BadRequestException('"client" is not a client id.');
  return { q: q || undefined, status, attention: attention === '1', sort: parseSort(query), ...(clientId && { clientId }) };
}

/** The page size in the query (`size=25|50|100`), or the default. */
export function parsePageSize(query: Record<string, unknown>): number {
  const size = single(query, 'size');
  if (size === undefined) return DEFAULT_PAGE_SIZE;
  const n = Number(size);
  if (!(PAGE_SIZES as readonly number[]).includes(n) || String(n) !== size) {
    throw new BadRequestException(`"size" is one of ${PAGE_SIZES.join(', ')}.`);
  }
  return n;
}

/** A list page's query, less what it could not read, and what that was ("the sort order"). */
export interface ReadableListQuery {
  query: Record<string, unknown>;
  leftOut: string[];
}

/**
 * A list page's query without the parts it cannot read: a sort, a page size, a status or a
 * client that is not (or no longer) offered, a page link of another sort or version. A
 * bookmark or an old email's link still opens on what the rest asks for, and the page says
 * what it left out; downloads and the API refuse such a query instead (parseNumberFilter).
 * A search longer than any the form sends, or given twice, is still refused.
 */
export function readableListQuery(query: Record<string, unknown>): ReadableListQuery {
  const q: Record<string, unknown> = { ...query };
  const leftOut: string[] = [];
  const drop = (what: string, ...keys: string[]) => {
    for (const key of keys) delete q[key];
    if (!leftOut.includes(what)) leftOut.push(what);
  };
  if (!readable(() => parseSort(q))) drop('the sort order', 'sort', 'dir');
  if (!readable(() => parsePageSize(q))) drop('the page size', 'size');
  for (const family of FILTER_FAMILIES) {
    const label = FAMILIES[family].label;
    if (!readable(() => many(q, family))) {
      drop(`the “${label}” filter`, family);
      continue;
    }
    const values = many(q, family);
    const known = values.filter((value) => isStatus(family, value) && value !== 'removed');
    if (known.length < values.length) {
      q[family] = known;
      drop(`a “${label}” value it does not know`);
    }
  }
  if (![undefined, '', '1'].includes(q.attention as string)) drop('the attention filter', 'attention');
  if (![undefined, ''].includes(q.client as string) && !(typeof q.client === 'string' && isEntityId(q.client)))
    drop('the client', 'client');
  const sort = parseSort(q);
  if (!readable(() => [q.after, q.before].map((cursor) => decodeCursor(cursor, sort)))) drop('the page', 'after', 'before');
  return { query: q, leftOut };
}

/** False when `read` refuses its input (a 400); anything else it throws is a fault and goes on up. */
function readable(read: () => unknown): boolean {
  try {
    read();
    return true;
  } catch (err) {
    if (err instanceof BadRequestException) return false;
    throw err;
  }
}

/** The query parameters of a filter (without the cursor or the client, which the page's path holds), for links that keep it. */
export function filterParams(filter: NumberFilter, extra: Record<string, string | undefined> = {}): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.q) params.set('q', filter.q);
  for (const family of FILTER_FAMILIES) for (const value of filter.status[family] ?? []) params.append(family, value);
  if (filter.attention) params.set('attention', '1');
  if (filter.sort.field !== DEFAULT_SORT.field) params.set('sort', filter.sort.field);
  if (filter.sort.dir !== defaultDir(filter.sort.field)) params.set('dir', filter.sort.dir);
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) params.set(k, v);
  return params;
}

/** The query string of a filter (without the cursor), for links that keep it: "" or "?…". */
export function filterQueryString(filter: NumberFilter, extra: Record<string, string | undefined> = {}): string {
  const s = filterParams(filter, extra).toString();
  return s ? `?${s}` : '';
}

export function isFiltered(filter: NumberFilter): boolean {
  return !!filter.q || filter.attention || Object.keys(filter.status).length > 0 || !!filter.providerIds?.length;
}

/** A row of a page: where the next page starts, or the previous one ends (keyset pagination, no OFFSET). */
export interface Cursor {
  sort: Sort;
  /** The sort key of the row: an ISO instant (created), a status rank, or a string. */
  key: string | number;
  id: string;
  /** The row's place in the list (0 for the first row), when known: "showing 51–100". */
  pos?: number;
}

/**
 * The longest cursor this app makes: a 200-character key of 3-byte UTF-8 characters (600
 * bytes; CJK client names) in base64url with its JSON, sort and id is under 900 characters.
 */
const MAX_CURSOR_LENGTH = 900;
const MAX_POSITION = 100_000_000;

/** An opaque `after`/`before` value: base64url JSON of the sort, the sort key, the id and the place. */
export function encodeCursor(cursor: Cursor): string {
  const { sort, key, id, pos } = cursor;
  return Buffer.from(JSON.stringify([sort.field, sort.dir, key, id, pos ?? null])).toString('base64url');
}

/** A key either database can compare: PostgreSQL has no year 0 and no NUL in text. */
const validKey = (field: SortField, key: unknown): boolean => {
  if (field === 'created') {
    return (
      typeof key === 'string' &&
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(key) &&
      !key.startsWith('0000') &&
      isCalendarDate(key) &&
      !Number.isNaN(Date.parse(key))
    );
  }
  if ((FILTER_FAMILIES as readonly string[]).includes(field))
    return Number.isInteger(key) && (key as number) >= 0 && (key as number) <= 100;
  return typeof key === 'string' && key.length <= MAX_SEARCH_LENGTH && !key.includes('\u0000');
};

/**
 * Reads an `after` or `before` value. Anything that is not a cursor this app made for this
 * sort (edited, truncated, from another sort) is a 400, never a query.
 */
export function decodeCursor(value: unknown, sort: Sort): Cursor | undefined {
  if (value === undefined || value === '') return undefined;
  const invalid = () => new BadRequestException('The page link is not valid. Start again from the first page.');
  if (typeof value !== 'string' || value.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(value)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 5) throw invalid();
  const [field, dir, key, id, pos] = parsed as unknown[];
  if (field !== sort.field || dir !== sort.dir || !validKey(sort.field, key) || !isEntityId(id)) throw invalid();
  if (pos !== null && !(Number.isInteger(pos) && (pos as number) >= 0 && (pos as number) <= MAX_POSITION)) throw invalid();
  return { sort, key: key as string | number, id, pos: pos === null ? undefined : (pos as number) };
}
