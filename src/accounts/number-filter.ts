import { BadRequestException } from '@nestjs/common';
import { isEntityId } from '../common/ids';
import { FAMILIES, isStatus, type FamilyKey } from '../statuses';

/**
 * What a partner is looking at on /accounts: search, one filter per status family, sort.
 * The list, the summary links and the CSV download all read the same filter from the same
 * query string, so "Download CSV" exports exactly what the list shows.
 */
export const SORTS = ['newest', 'client', 'phone'] as const;
export type Sort = (typeof SORTS)[number];

/** Status families a partner can filter on, with the query parameter of each. */
export const FILTER_FAMILIES = ['lifecycle', 'waba', 'verification', 'onBehalf', 'registration', 'consent', 'billing'] as const;
export type FilterFamily = (typeof FILTER_FAMILIES)[number];

export const MAX_SEARCH_LENGTH = 200;
/** A number waiting in a pending state longer than this needs attention. */
export const STUCK_AFTER_DAYS = 7;

export interface NumberFilter {
  q?: string;
  status: Partial<Record<FilterFamily, string>>;
  attention: boolean;
  sort: Sort;
}

const KNOWN_PARAMS = new Set<string>(['q', 'sort', 'attention', 'after', 'bom', ...FILTER_FAMILIES]);

function single(query: Record<string, unknown>, key: string): string | undefined {
  const v = query[key];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new BadRequestException(`"${key}" must be given once.`);
  return v;
}

/** Reads the filter from a query string; unknown parameters or values are a 400. */
export function parseNumberFilter(query: Record<string, unknown>): NumberFilter {
  for (const key of Object.keys(query)) {
    if (!KNOWN_PARAMS.has(key)) throw new BadRequestException(`Unknown parameter "${key.slice(0, 40)}".`);
  }
  const q = single(query, 'q')?.trim();
  if (q && q.length > MAX_SEARCH_LENGTH) throw new BadRequestException(`Search for at most ${MAX_SEARCH_LENGTH} characters.`);
  const sort = (single(query, 'sort') ?? 'newest') as Sort;
  if (!SORTS.includes(sort)) throw new BadRequestException(`Unknown sort "${String(sort).slice(0, 40)}".`);
  const status: NumberFilter['status'] = {};
  for (const family of FILTER_FAMILIES) {
    const value = single(query, family);
    if (value === undefined) continue;
    if (!isStatus(family, value) || value === 'removed') {
      throw new BadRequestException(`Unknown ${FAMILIES[family].label.toLowerCase()} "${value.slice(0, 40)}".`);
    }
    status[family] = value;
  }
  const attention = single(query, 'attention');
  if (attention !== undefined && attention !== '1') throw new BadRequestException('"attention" can only be 1.');
  return { q: q || undefined, status, attention: attention === '1', sort };
}

/** The query string of a filter (without the cursor), for links that keep it. */
export function filterQueryString(filter: NumberFilter, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  if (filter.q) params.set('q', filter.q);
  for (const family of FILTER_FAMILIES) if (filter.status[family]) params.set(family, filter.status[family]!);
  if (filter.attention) params.set('attention', '1');
  if (filter.sort !== 'newest') params.set('sort', filter.sort);
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  const s = params.toString();
  return s ? `?${s}` : '';
}

export function isFiltered(filter: NumberFilter): boolean {
  return !!filter.q || filter.attention || Object.keys(filter.status).length > 0;
}

/**
 * Digits only when the term looks like a phone number in any format ("+49 151 / 234-5"). A
 * national form ("0151 …") or an international prefix ("0049 …") loses its leading zeros,
 * so it still matches the stored E.164 digits.
 */
export function searchTerm(q: string): string {
  if (!/^[\d\s()+./-]+$/.test(q) || !/\d/.test(q)) return q.toLowerCase();
  const digits = q.replace(/\D/g, '');
  if (q.trimStart().startsWith('+')) return digits;
  return digits.replace(/^0+/, '') || digits;
}

const attentionValues = (family: FamilyKey) =>
  (FAMILIES[family].statuses as readonly { value: string; attention?: boolean }[]).filter((s) => s.attention).map((s) => s.value);
const pendingValues = (family: FamilyKey) =>
  (FAMILIES[family].statuses as readonly { value: string; pending?: boolean }[]).filter((s) => s.pending).map((s) => s.value);

/**
 * A condition in plain SQL on the aliases n (whatsapp_number), c (client) and w (waba_account),
 * with `?` placeholders and its parameters in order. The list, the counts and the CSV download
 * run it as prepared statements: the same filter always gives the same SQL text.
 */
export interface SqlCondition {
  sql: string;
  params: unknown[];
}

/** Filterable families and the column each filters on. */
const FILTER_COLUMN: Record<FilterFamily, string> = {
  lifecycle: 'n.status',
  registration: 'n.registration_status',
  billing: 'n.billing_state',
  waba: 'w.status',
  verification: 'w.business_verification_status',
  onBehalf: 'w.message_on_behalf_status',
  consent: 'c.consent_status',
};

const placeholders = (values: readonly unknown[]) => values.map(() => '?').join(', ');

/**
 * The numbers of one partner that match a filter. Removed numbers have left the hub: they
 * never match. The partner always comes from the session.
 */
export function numberWhere(partnerId: string, filter: NumberFilter, now: Date): SqlCondition {
  const and = ['n.partner_id = ?', "n.billing_state <> 'removed'"];
  const params: unknown[] = [partnerId];
  for (const family of FILTER_FAMILIES) {
    const value = filter.status[family];
    if (value === undefined) continue;
    and.push(`${FILTER_COLUMN[family]} = ?`);
    params.push(value);
  }
  if (filter.q) {
    // LIKE with the wildcards escaped: %, _ and quotes in the term are just text.
    and.push("n.search_text like ? escape '\\'");
    params.push(`%${searchTerm(filter.q).replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  if (filter.attention) {
    const attention = attentionWhere(now);
    and.push(attention.sql);
    params.push(...attention.params);
  }
  return { sql: and.join(' and '), params };
}

/** The sort key of a row, for the cursor of the page that ends with it. */
export function cursorFor(sort: Sort, row: { id: string; providerCreatedAt: Date; clientName: string; phoneNumber: string }): string {
  const key = sort === 'newest' ? row.providerCreatedAt.toISOString() : sort === 'client' ? row.clientName : row.phoneNumber;
  return encodeCursor({ sort, key, id: row.id });
}

const SORT_COLUMN = { newest: 'n.provider_created_at', client: 'n.client_name', phone: 'n.phone_number' } as const;

/** The order of a sort, on the (partner, key, id) index that serves it. */
function orderBySql(sort: Sort): string {
  const dir = sort === 'newest' ? 'desc' : 'asc';
  return `${SORT_COLUMN[sort]} ${dir}, n.id ${dir}`;
}

/**
 * Rows after the cursor in the sort's order: (key, id) strictly after (key0, id0), written as
 * a row-value comparison so that both databases start the index scan at the cursor (the
 * equivalent OR form made PostgreSQL read and discard every earlier row).
 */
function afterWhere(cursor: Cursor): SqlCondition {
  const op = cursor.sort === 'newest' ? '<' : '>';
  const key = cursor.sort === 'newest' ? new Date(cursor.key) : cursor.key;
  return { sql: `(${SORT_COLUMN[cursor.sort]}, n.id) ${op} (?, ?)`, params: [key, cursor.id] };
}

/**
 * The keyset read of a page or a batch: the filter's rows after the cursor (when there is
 * one), in the sort's order, at most `limit`. The list's pages and the CSV's batches both end
 * their query with it, so a download walks the numbers exactly as the pages do.
 */
export function keysetSql(where: SqlCondition, cursor: Cursor | undefined, limit: number, sort: Sort): SqlCondition {
  const after = cursor && afterWhere(cursor);
  return {
    sql: `where ${where.sql}${after ? ` and ${after.sql}` : ''} order by ${orderBySql(sort)} limit ?`,
    params: [...where.params, ...(after?.params ?? []), limit],
  };
}

/** The last row of a page: where the next page starts (keyset pagination, no OFFSET). */
export interface Cursor {
  sort: Sort;
  /** The sort key of the last row: an ISO instant (newest) or a string (client, phone). */
  key: string;
  id: string;
}

/**
 * The longest cursor this app makes: a 200-character key of 3-byte UTF-8 characters (600
 * bytes; CJK client names) in base64url with its JSON and id is 851 characters.
 */
const MAX_CURSOR_LENGTH = 900;

/** An opaque `after` value: base64url JSON of the sort, the sort key and the id. */
export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.key, cursor.id])).toString('base64url');
}

/**
 * Reads an `after` value. Anything that is not a cursor this app made for this sort (edited,
 * truncated, from another sort) is a 400, never a query.
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
  if (!Array.isArray(parsed) || parsed.length !== 3) throw invalid();
  const [s, key, id] = parsed as unknown[];
  if (s !== sort || typeof key !== 'string' || key.length > 200 || !isEntityId(id)) throw invalid();
  if (sort === 'newest' && (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(key) || Number.isNaN(Date.parse(key)))) throw invalid();
  return { sort, key, id };
}

/**
 * Numbers that need attention: a problem status in any family (the catalogue marks which), or
 * waiting in a pending lifecycle status for more than STUCK_AFTER_DAYS.
 */
export function attentionWhere(now: Date): SqlCondition {
  const or: string[] = [];
  const params: unknown[] = [];
  for (const family of ['lifecycle', 'registration', 'waba', 'verification', 'onBehalf'] as const) {
    const values = attentionValues(family);
    if (values.length === 0) continue;
    or.push(`${FILTER_COLUMN[family]} in (${placeholders(values)})`);
    params.push(...values);
  }
  const pending = pendingValues('lifecycle');
  or.push(`(n.status in (${placeholders(pending)}) and n.status_changed_at < ?)`);
  params.push(...pending, new Date(now.getTime() - STUCK_AFTER_DAYS * 86_400_000));
  return { sql: `(${or.join(' or ')})`, params };
}
