import type { Dialect } from '../database/orm.config';
import { sqlNumber, type Sql } from '../database/sql';
import { type Cursor, type NumberFilter, type SortField } from './number-filter';
import { historyJsonSql, historyOfJson, type StatusChangeRow } from './status-history.query';
import { attentionWhere, filterJoins, keysetSql, numberWhere, orderBySql, sortKeySql, type SqlCondition } from './number-sql';
import { numberRowSql, PAGE_COLUMNS_SQL, rowsOfSql, toCardRow, toNumberRow, type CardRow, type NumberRow } from './number-row';

/** The joins a filter's `where` (and its sort) read beside the number table. */
const joinsSql = (joins: { client: boolean; waba: boolean }) =>
  `${joins.client ? 'join client c on c.id = n.client_id' : ''} ${joins.waba ? 'join waba_account w on w.id = n.waba_account_id' : ''}`;

/**
 * A row of a list (a card's columns, or all of them), with its sort key as the database returned
 * it: only the first and last rows of a page make cursors (cursorFor), so only theirs is read.
 */
export type ListedRow<R extends CardRow = CardRow> = R & { sortKey: unknown };

/**
 * Up to `limit` rows of a partner's numbers that match the filter, in its sort order after the
 * cursor (or before it, nearest first, when `backwards`): keyset pagination, so a deep page
 * costs what the first one does. The page is chosen first, joining only what the filter and the
 * sort read, and its client and account joined to its rows only: a filtered page then sorts what
 * an index holds instead of every match joined to its client and account (a status-filtered
 * deep page at 100,000 numbers: 0.3 ms instead of 18 ms on SQLite). The pages read a card's
 * columns; the Partner API reads full rows (`readFullNumberRows`), in the same one query.
 */
export function readNumberRows(
  sql: Sql,
  partnerId: string,
  filter: NumberFilter,
  cursor: Cursor | undefined,
  limit: number,
  now: Date,
  backwards = false,
): Promise<ListedRow[]> {
  return readRows(sql, 'card', toCardRow, partnerId, filter, cursor, limit, now, backwards);
}

export function readFullNumberRows(
  sql: Sql,
  partnerId: string,
  filter: NumberFilter,
  cursor: Cursor | undefined,
  limit: number,
  now: Date,
): Promise<ListedRow<NumberRow>[]> {
  return readRows(sql, 'full', toNumberRow, partnerId, filter, cursor, limit, now, false);
}

async function readRows<R extends CardRow>(
  sql: Sql,
  columns: 'card' | 'full',
  toRow: (r: Record<string, unknown>) => R,
  partnerId: string,
  filter: NumberFilter,
  cursor: Cursor | undefined,
  limit: number,
  now: Date,
  backwards: boolean,
): Promise<ListedRow<R>[]> {
  const page = pageSql(sql.dialect, columns, partnerId, filter, cursor, limit, now, backwards);
  const rows = await sql.all<Record<string, unknown>>(
    `${rowsOfSql(columns, sortKeySql(filter.sort.field), page)} order by ${orderBySql(filter.sort, backwards)}`,
    page.params,
  );
  // The row gets its key added: spread into a new object with one more key, V8 copied it 20 times slower.
  return rows.map((r) => Object.assign(toRow(r), { sortKey: r.sort_key }));
}

/** How many numbers match a filter, counted up to a cap, and how they split. */
export interface MatchCount {
  /** Exact when not capped; otherwise the cap was reached and there are more. */
  total: number;
  capped: boolean;
  byStatus: Record<string, number>;
  attention: number;
}

/**
 * Counts the numbers that match a filter, reading at most `cap` + 1 of them: a search or a
 * filter that matches most of 100,000 numbers costs a bounded read, and answers "10,000+".
 * Below the cap, the count, the split per number status and the numbers needing attention are
 * exact.
 */
export async function countMatching(sql: Sql, partnerId: string, filter: NumberFilter, now: Date, cap: number): Promise<MatchCount> {
  const where = numberWhere(partnerId, filter, now);
  const attention = attentionWhere(now);
  const rows = await sql.all<{ status: string; n: unknown; attention: unknown }>(
    `select x.status as status, count(*) as n, sum(x.attention) as attention from (
       select n.status as status, case when ${attention.sql} then 1 else 0 end as attention
         from whatsapp_number n ${joinsSql({ client: true, waba: true })}
        where ${where.sql}
        limit ?) x
      group by x.status`,
    [...attention.params, ...where.params, cap + 1],
  );
  const byStatus: Record<string, number> = {};
  let total = 0;
  let attentionCount = 0;
  for (const row of rows) {
    byStatus[row.status] = sqlNumber(row.n);
    total += sqlNumber(row.n);
    attentionCount += sqlNumber(row.attention);
  }
  if (total > cap) return { total: cap, capped: true, byStatus: {}, attention: 0 };
  return { total, capped: false, byStatus, attention: attentionCount };
}

const VISIBLE_NUMBER_SQL = `n.id = ? and n.partner_id = ? and n.billing_state <> 'removed'`;

/** A number of this partner that is still in the hub, or null (unknown, foreign or removed). */
export async function readVisibleNumber(sql: Sql, partnerId: string, id: string): Promise<NumberRow | null> {
  const [row] = await sql.byKey<Record<string, unknown>>(`${numberRowSql()} where ${VISIBLE_NUMBER_SQL}`, [id, partnerId]);
  return row ? toNumberRow(row) : null;
}

/**
 * A number of this partner that is still in the hub, with its newest `historyLimit` status
 * changes, newest first, in one statement; or null. The details page reads both: on PostgreSQL
 * each statement more cost that page a tenth of its speed.
 */
export async function readNumberWithHistory(
  sql: Sql,
  partnerId: string,
  id: string,
  historyLimit: number,
): Promise<{ number: NumberRow; history: StatusChangeRow[] } | null> {
  const [row] = await sql.byKey<Record<string, unknown>>(
    `${numberRowSql(`, ${historyJsonSql(sql.dialect)} as history`)} where ${VISIBLE_NUMBER_SQL}`,
    [historyLimit, id, partnerId],
  );
  return row ? { number: toNumberRow(row), history: historyOfJson(row.history) } : null;
}

/** How many numbers the hub holds, every partner's. */
export async function countNumbers(sql: Sql): Promise<number> {
  const [row] = await sql.all<{ n: unknown }>('select count(*) as n from whatsapp_number');
  return sqlNumber(row.n);
}

/** The sorts that an index gives in order ((partner, key, id) indexes): a page reads `limit` rows. */
const INDEXED_SORTS: ReadonlySet<SortField> = new Set(['created', 'phone', 'client', 'display']);

/**
 * The numbers of a page, in a subquery of their own. In a sort that an index gives in order it
 * reads their columns (`PAGE_COLUMNS_SQL`): PostgreSQL then plans no join back to the table, which
 * cost it more to plan than the page to run (a deep page: 0.6 ms, not 0.9). Any other sort orders
 * every match, so it reads only ids, which an index holds: sorted by number status at 100,000
 * numbers, 16 ms instead of 160 on SQLite. Newest first with several number statuses
 * (`lifecycle=error&lifecycle=suspended`), a page is read per status, each straight off the
 * (partner, status, created, id, billing) index and at most `limit` long, and the first `limit`
 * of them kept: one read along the created index instead tests every number's status until
 * the page is full (at 100,000 numbers, 0.2 ms instead of 1.2 ms on PostgreSQL, 2.2 on SQLite).
 * On SQLite those pages read only what the index holds, and the kept ids are joined back: it
 * read every status's rows from the table, twice the rows the page shows (a deep API page of
 * two statuses: 0.44 ms instead of 0.61).
 */
function pageSql(
  dialect: Dialect,
  columns: 'card' | 'full',
  partnerId: string,
  filter: NumberFilter,
  cursor: Cursor | undefined,
  limit: number,
  now: Date,
  backwards: boolean,
): SqlCondition & { rows: boolean } {
  const read = (f: NumberFilter, select: string) => {
    const page = keysetSql(numberWhere(partnerId, f, now), cursor, limit, f.sort, backwards);
    return { sql: `select ${select} from whatsapp_number n ${joinsSql(filterJoins(f))} ${page.sql}`, params: page.params };
  };
  const rows = INDEXED_SORTS.has(filter.sort.field);
  const statuses = filter.status.lifecycle ?? [];
  if (filter.sort.field !== 'created' || statuses.length < 2) {
    return { ...read(filter, rows ? PAGE_COLUMNS_SQL[columns] : 'n.id as id'), rows };
  }
  const perStatus = dialect === 'postgresql';
  const pages = statuses.map((status) =>
    read(
      { ...filter, status: { ...filter.status, lifecycle: [status] } },
      perStatus ? PAGE_COLUMNS_SQL[columns] : 'n.id as id, n.provider_created_at as provider_created_at',
    ),
  );
  const dir = (filter.sort.dir === 'desc') !== backwards ? 'desc' : 'asc';
  return {
    sql: `select ${perStatus ? '*' : 'id'} from (${pages.map((p, i) => `select * from (${p.sql}) p${i}`).join(' union all ')}) u order by provider_created_at ${dir}, id ${dir} limit ?`,
    params: [...pages.flatMap((p) => p.params), limit],
    rows: perStatus,
  };
}

/**
 * Refreshes the planners' statistics of the tables an import grows: numbers, their WABA
 * accounts and clients (both databases spell it alike). Without them PostgreSQL found a
 * client's accounts by scanning all of its partner's.
 */
export async function analyzeAccountTables(sql: Sql): Promise<void> {
  for (const table of ['whatsapp_number', 'waba_account', 'client']) await sql.run(`analyze ${table}`);
}
