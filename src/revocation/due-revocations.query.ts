import type { EntityManager } from '@mikro-orm/core';
import { sqlNumber, type Sql } from '../database/sql';
import type { BillingState } from '../statuses';

export type Transition = 'billing_end' | 'removal';

/** One revocation claimed by a run, with what its side effects need. */
export interface ClaimedRow {
  id: string;
  number_id: string;
  partner_id: string;
  termination_date: string;
  billing_ends_at: unknown;
  remove_at: unknown;
  billing_time_zone: string;
  phone_number: string;
  display_name: string | null;
  client_name: string;
  contact_email: string | null;
  partner_name: string;
}

/** Which revocations a transition is due for, the order it takes them in, and the column it sets. */
const TRANSITIONS: Record<Transition, { due: string; order: string; column: string }> = {
  billing_end: {
    due: 'billing_ended_at is null and withdrawn_at is null and billing_ends_at <= ?',
    order: 'billing_ends_at',
    column: 'billing_ended_at',
  },
  removal: {
    due: 'removed_at is null and billing_ended_at is not null and withdrawn_at is null and remove_at <= ?',
    order: 'remove_at',
    column: 'removed_at',
  },
};

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** Ids of revocations due at `now`, oldest first; on PostgreSQL skipping rows another instance holds. */
export async function pickDue(
  sql: Sql,
  tx: EntityManager,
  transition: Transition,
  now: Date,
  limit: number,
  skipLocked: boolean,
): Promise<string[]> {
  const { due, order } = TRANSITIONS[transition];
  const rows = await sql.all<{ id: string }>(
    `select id from revocation where ${due} order by ${order}, id limit ${Number(limit)}${skipLocked ? ' for update skip locked' : ''}`,
    [now],
    tx,
  );
  return rows.map((r) => r.id);
}

/** How many revocations a transition is due for at `now` (what /metrics reports). */
export async function countDue(sql: Sql, transition: Transition, now: Date): Promise<number> {
  const [row] = await sql.all<{ n: unknown }>(`select count(*) as n from revocation where ${TRANSITIONS[transition].due}`, [now]);
  return sqlNumber(row.n);
}

/** Sets the transition's time on those of `ids` still due; returns the ids this call set. */
export async function claimDue(sql: Sql, tx: EntityManager, transition: Transition, ids: string[], now: Date): Promise<string[]> {
  const { due, column } = TRANSITIONS[transition];
  const rows = await sql.all<{ id: string }>(
    `update revocation set ${column} = ?, updated_at = ? where id in (${marks(ids.length)}) and ${due} returning id`,
    [now, now, ...ids, now],
    tx,
  );
  return rows.map((r) => r.id);
}

/** The claimed revocations with their number, client and partner. */
export function readClaimed(sql: Sql, tx: EntityManager, ids: string[]): Promise<ClaimedRow[]> {
  return sql.all<ClaimedRow>(
    `select r.id, r.number_id, r.partner_id, r.termination_date, r.billing_ends_at, r.remove_at, r.billing_time_zone,
            n.phone_number, n.display_name, c.name as client_name, c.contact_email, p.name as partner_name
       from revocation r
       join whatsapp_number n on n.id = r.number_id
       join client c on c.id = n.client_id
       join partner p on p.id = r.partner_id
      where r.id in (${marks(ids.length)})`,
    ids,
    tx,
  );
}

/** Moves the numbers' billing state from `from` to `to`. */
export function moveBillingState(sql: Sql, tx: EntityManager, numberIds: string[], from: BillingState, to: BillingState, now: Date) {
  return sql.run(
    `update whatsapp_number set billing_state = ?, updated_at = ? where id in (${marks(numberIds.length)}) and billing_state = ?`,
    [to, now, ...numberIds, from],
    tx,
  );
}
