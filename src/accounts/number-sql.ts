import { sqlDate } from '../database/sql';
import { FAMILIES, FAMILY_KEYS, familyValues, type FamilyKey } from '../statuses';
import {
  FILTER_FAMILIES,
  STUCK_AFTER_DAYS,
  type Cursor,
  type FilterFamily,
  type NumberFilter,
  type Sort,
  type SortField,
} from './number-filter';
import { searchTerms } from './search-text';

/**
 * The list's filter, sort and keyset cursor (number-filter.ts) in SQL: the conditions, joins
 * and order the list, its counts and the CSV download run, and the cursor of a row read back.
 */

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

/** Every status family's column: the filterable ones, and the number's quality and tier. */
const STATUS_COLUMN: Record<FamilyKey, string> = { ...FILTER_COLUMN, quality: 'n.quality_rating', tier: 'n.messaging_tier' };

/** The families with a status that makes a number need attention, as the catalogue marks them. */
export const ATTENTION_FAMILIES: readonly FamilyKey[] = FAMILY_KEYS.filter((f) => attentionValues(f).length > 0);

const placeholders = (values: readonly unknown[]) => values.map(() => '?').join(', ');

/** The lengths a list of provider ids is padded to: a few SQL texts, not one per count (prepared statements are kept per text). */
const ID_LIST_LENGTHS = [1, 10, 25, 100];

/** The ids, the last one repeated up to the next of ID_LIST_LENGTHS (a longer list as it is). */
function paddedIds(ids: readonly string[]): string[] {
  const length = ID_LIST_LENGTHS.find((n) => n >= ids.length) ?? ids.length;
  return [...ids, ...Array<string>(length - ids.length).fill(ids[ids.length - 1])];
}

/** The tables a family's column lives in: the counts join only what the filter reads. */
const familyTable = (family: FilterFamily) => FILTER_COLUMN[family][0];

/**
 * The numbers of one partner that match a filter. Removed numbers have left the hub: they
 * never match. The partner always comes from the session.
 */
export function numberWhere(partnerId: string, filter: NumberFilter, now: Date): SqlCondition {
  const and = ['n.partner_id = ?', "n.billing_state <> 'removed'"];
  const params: unknown[] = [partnerId];
  if (filter.clientId) {
    and.push('n.client_id = ?');
    params.push(filter.clientId);
  }
  if (filter.providerIds?.length) {
    const ids = paddedIds(filter.providerIds);
    and.push(`n.provider_id in (${placeholders(ids)})`);
    params.push(...ids);
  }
  for (const family of FILTER_FAMILIES) {
    const values = filter.status[family];
    if (!values?.length) continue;
    and.push(values.length === 1 ? `${FILTER_COLUMN[family]} = ?` : `${FILTER_COLUMN[family]} in (${placeholders(values)})`);
    params.push(...values);
  }
  if (filter.q) {
    // LIKE with the wildcards escaped: %, _ and quotes in the term are just text. The longest
    // word is a plain LIKE, which PostgreSQL estimates from the column's statistics; the others
    // are hidden from its estimate (`case … <> 0` reads as nearly every row). Each LIKE counted
    // on its own multiplied the estimates of words that go together ("cafe", "lumiere"): 34
    // rows instead of 8,094, and a scan of every number (320 ms) instead of the index (16 ms).
    const [first, ...others] = [...searchTerms(filter.q)].sort((a, b) => b.length - a.length);
    const like = (term: string) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    if (first !== undefined) {
      and.push("n.search_text like ? escape '\\'");
      params.push(like(first));
    }
    for (const term of others) {
      and.push("case when n.search_text like ? escape '\\' then 1 else 0 end <> 0");
      params.push(like(term));
    }
  }
  if (filter.attention) {
    const attention = attentionWhere(now);
    and.push(attention.sql);
    params.push(...attention.params);
  }
  return { sql: and.join(' and '), params };
}

/** Whether the filter reads the client table (c) or the WABA table (w), besides the number. */
export function filterJoins(filter: NumberFilter): { client: boolean; waba: boolean } {
  const families = FILTER_FAMILIES.filter((f) => filter.status[f]?.length);
  const sortTable = (FILTER_FAMILIES as readonly string[]).includes(filter.sort.field)
    ? familyTable(filter.sort.field as FilterFamily)
    : 'n';
  return {
    client: filter.attention || families.some((f) => familyTable(f) === 'c') || sortTable === 'c',
    waba: filter.attention || families.some((f) => familyTable(f) === 'w') || sortTable === 'w',
  };
}

/**
 * The rank of a status in its family's catalogue order: sorting on a status column groups
 * the numbers as the Account statuses page lists the statuses, not alphabetically. The values
 * are the catalogue's constants, written into the SQL.
 */
function rankSql(family: FilterFamily): string {
  const whens = familyValues(family).map((v, i) => `when '${v}' then ${i}`);
  return `(case ${FILTER_COLUMN[family]} ${whens.join(' ')} else ${whens.length} end)`;
}

/**
 * The SQL of a sort's key. Created, phone and client sort on a (partner, key, id) index; display
 * name and status columns sort what the filter matched (a top-N sort, no index).
 */
export function sortKeySql(field: SortField): string {
  switch (field) {
    case 'created':
      return 'n.provider_created_at';
    case 'phone':
      return 'n.phone_number';
    case 'client':
      return 'n.client_name';
    case 'display':
      return "coalesce(n.display_name, '')";
    default:
      return rankSql(field);
  }
}

/** A row's sort key as the database returned it (`select <sortKeySql> as sort_key`), as a cursor holds it. */
export function sortKeyOf(field: SortField, raw: unknown): string | number {
  if (field === 'created') return sqlDate(raw).toISOString();
  if ((FILTER_FAMILIES as readonly string[]).includes(field)) return Number(raw);
  return String(raw);
}

/** The order of a sort, read forwards or backwards (for the page before a cursor). */
export function orderBySql(sort: Sort, backwards: boolean): string {
  const dir = (sort.dir === 'desc') !== backwards ? 'desc' : 'asc';
  return `${sortKeySql(sort.field)} ${dir}, n.id ${dir}`;
}

/**
 * Rows after the cursor in the sort's order (or before it, backwards): (key, id) strictly after
 * (key0, id0), written as a row-value comparison so that both databases start the index scan
 * at the cursor (the equivalent OR form made PostgreSQL read and discard every earlier row).
 */
function afterWhere(cursor: Cursor, backwards: boolean): SqlCondition {
  const op = (cursor.sort.dir === 'desc') !== backwards ? '<' : '>';
  const key = cursor.sort.field === 'created' ? new Date(cursor.key) : cursor.key;
  const sortKey = sortKeySql(cursor.sort.field);
  const after = { sql: `(${sortKey}, n.id) ${op} (?, ?)`, params: [key, cursor.id] };
  // The display name's key is an expression: SQLite starts its index's range at a bound on it,
  // not at a row value (a page half-way down: 1 ms, not 58). On a column the same bound made it
  // leave the row value's range (sorted by phone, 0.7 ms a page became 80).
  if (cursor.sort.field !== 'display') return after;
  return { sql: `${sortKey} ${op}= ? and ${after.sql}`, params: [key, ...after.params] };
}

/**
 * The keyset read of a page or a batch: the filter's rows after the cursor (when there is
 * one), in the sort's order, at most `limit`; `backwards` reads the rows before the cursor,
 * nearest first. The list's pages and the CSV's batches both end their query with it, so a
 * download walks the numbers exactly as the pages do.
 */
export function keysetSql(where: SqlCondition, cursor: Cursor | undefined, limit: number, sort: Sort, backwards = false): SqlCondition {
  const after = cursor && afterWhere(cursor, backwards);
  return {
    sql: `where ${where.sql}${after ? ` and ${after.sql}` : ''} order by ${orderBySql(sort, backwards)} limit ?`,
    params: [...where.params, ...(after?.params ?? []), limit],
  };
}

/** The cursor of a row read with `sort_key`, its key as the database returned it (see sortKeyOf). */
export function cursorFor(sort: Sort, row: { id: string; sortKey: unknown }, pos?: number): Cursor {
  return { sort, key: sortKeyOf(sort.field, row.sortKey), id: row.id, pos };
}

/**
 * Numbers that need attention: a problem status in any family (the catalogue marks which), or
 * waiting in a pending lifecycle status for more than STUCK_AFTER_DAYS. It reads the number,
 * its WABA account (w) and its client (c).
 */
export function attentionWhere(now: Date): SqlCondition {
  const or: string[] = [];
  const params: unknown[] = [];
  for (const family of ATTENTION_FAMILIES) {
    const values = attentionValues(family);
    or.push(`${STATUS_COLUMN[family]} in (${placeholders(values)})`);
    params.push(...values);
  }
  const pending = pendingValues('lifecycle');
  or.push(`(n.status in (${placeholders(pending)}) and n.status_changed_at < ?)`);
  params.push(...pending, new Date(now.getTime() - STUCK_AFTER_DAYS * 86_400_000));
  return { sql: `(${or.join(' or ')})`, params };
}
