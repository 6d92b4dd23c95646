import type { EntityManager } from '@mikro-orm/core';
import { newId } from '../common/ids';
import { sqlDate, sqlNumber, type Sql } from '../database/sql';
import { familyStatuses } from '../statuses';
import { emptyFilter, STUCK_AFTER_DAYS } from './number-filter';
import { numberWhere } from './number-sql';

export interface AccountsSummary {
  /** Numbers per lifecycle status, removed numbers left out. */
  byStatus: Record<string, number>;
  total: number;
  attention: number;
}

/** The counts of a partner as they are now, and when they change by time alone (a pending number turns into attention). */
export interface CountedSummary {
  summary: AccountsSummary;
  recountAt: Date | null;
}

const STUCK_MS = STUCK_AFTER_DAYS * 86_400_000;
const PENDING = familyStatuses('lifecycle')
  .filter((s) => s.pending)
  .map((s) => s.value);

/** The stored counts of a partner, or null when none were counted yet; `changes` for the guarded save. */
export async function readSummary(sql: Sql, partnerId: string): Promise<{ summary: AccountsSummary; changes: number } | null> {
  const [row] = await sql.all<{ by_status: string; total: unknown; attention: unknown; changes: unknown }>(
    'select by_status, total, attention, changes from number_summary where partner_id = ?',
    [partnerId],
  );
  if (!row) return null;
  const summary = {
    byStatus: JSON.parse(row.by_status) as Record<string, number>,
    total: sqlNumber(row.total),
    attention: sqlNumber(row.attention),
  };
  return { summary, changes: sqlNumber(row.changes) };
}

/**
 * Counts a partner's numbers: per lifecycle status (one grouped count on the (partner, status)
 * index, minus the few removed numbers found through the (partner, billing state) index), the
 * ones that need attention, and when the next pending number turns into attention.
 */
export async function countSummary(sql: Sql, partnerId: string, now: Date): Promise<CountedSummary> {
  const all = await sql.all<{ status: string; n: unknown }>(
    'select status, count(*) as n from whatsapp_number where partner_id = ? group by status',
    [partnerId],
  );
  // Counted here, not grouped in SQL: with a GROUP BY, SQLite walks the (partner, status)
  // index over every number of the partner (75 ms at 100,000) instead of this one.
  const removed = await sql.all<{ status: string }>(
    "select status from whatsapp_number where partner_id = ? and billing_state = 'removed'",
    [partnerId],
  );
  const byStatus: Record<string, number> = {};
  for (const row of all) byStatus[row.status] = sqlNumber(row.n);
  for (const row of removed) byStatus[row.status] = (byStatus[row.status] ?? 0) - 1;
  const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
  if (total === 0) return { summary: { byStatus, total, attention: 0 }, recountAt: null };

  const where = numberWhere(partnerId, emptyFilter({ attention: true }), now);
  // The attention rule reads the number, its WABA account and its client.
  const [attention] = await sql.all<{ n: unknown }>(
    `select count(*) as n from whatsapp_number n join waba_account w on w.id = n.waba_account_id
       join client c on c.id = n.client_id where ${where.sql}`,
    where.params,
  );
  const [next] = await sql.all<{ at: unknown }>(
    `select min(status_changed_at) as at from whatsapp_number
      where partner_id = ? and billing_state <> 'removed' and status in (${PENDING.map(() => '?').join(', ')}) and status_changed_at >= ?`,
    [partnerId, ...PENDING, new Date(now.getTime() - STUCK_MS)],
  );
  // Stuck once strictly more than STUCK_AFTER_DAYS have passed: a millisecond after the boundary.
  const recountAt = next.at === null || next.at === undefined ? null : new Date(sqlDate(next.at).getTime() + STUCK_MS + 1);
  return { summary: { byStatus, total, attention: sqlNumber(attention.n) }, recountAt };
}

/**
 * Stores counts. When no row was there as they were counted (`seen` null), it never replaces
 * a row another process stored meanwhile and stays due, so that the jobs process confirms it:
 * a change may have landed between the count and the row, and marked nothing. Otherwise it
 * replaces the counts, and leaves the row due when a change arrived after it read `seen`.
 */
export async function saveSummary(sql: Sql, partnerId: string, counted: CountedSummary, seen: number | null, now: Date): Promise<void> {
  const { byStatus, total, attention } = counted.summary;
  const values = [newId(), now, now, partnerId, JSON.stringify(byStatus), total, attention];
  const insert = `insert into number_summary (id, created_at, updated_at, partner_id, by_status, total, attention, changes, recount_at)
    values (?, ?, ?, ?, ?, ?, ?, 0, ?)`;
  if (seen === null) {
    await sql.run(`${insert} on conflict (partner_id) do nothing`, [...values, now]);
    return;
  }
  await sql.run(
    `${insert} on conflict (partner_id) do update set by_status = excluded.by_status, total = excluded.total,
       attention = excluded.attention, updated_at = excluded.updated_at,
       recount_at = case when number_summary.changes = ? then excluded.recount_at else number_summary.recount_at end`,
    [...values, counted.recountAt, seen],
  );
}

/**
 * Marks the partners' counts changed, in the transaction of the change: due at `recountBy`, or
 * at the time they were due already when that is sooner (a stream of changes is counted once).
 */
export async function markSummariesChanged(sql: Sql, tx: EntityManager, partnerIds: string[], now: Date, recountBy: Date): Promise<void> {
  if (partnerIds.length === 0) return;
  await sql.run(
    `update number_summary set changes = changes + 1, updated_at = ?,
       recount_at = case when recount_at is not null and recount_at <= ? then recount_at else ? end
      where partner_id in (${partnerIds.map(() => '?').join(', ')})`,
    [now, recountBy, recountBy, ...partnerIds],
    tx,
  );
}

/** The partners whose counts are due for a recount, longest due first. */
export async function readDueSummaries(sql: Sql, now: Date, limit: number): Promise<string[]> {
  const rows = await sql.all<{ partner_id: string }>(
    `select partner_id from number_summary where recount_at <= ? order by recount_at, partner_id limit ${Number(limit)}`,
    [now],
  );
  return rows.map((r) => r.partner_id);
}
