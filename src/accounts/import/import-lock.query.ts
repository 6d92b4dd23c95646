import type { EntityManager } from '@mikro-orm/core';
import type { Sql } from '../../database/sql';

/**
 * One import of a partner's records at a time, batch by batch: a second one (two requests of
 * the operator API at once) waits, then finds the first one's rows instead of inserting them
 * again. On PostgreSQL the partner's row is locked FOR NO KEY UPDATE: the foreign-key checks of
 * the partner's other writes meanwhile (an invitation, a revocation) take FOR KEY SHARE, which
 * it lets through where FOR UPDATE held them for the whole batch. On SQLite the transaction's
 * write lock (BEGIN IMMEDIATE) already serializes every writer.
 */
export async function lockPartnerImports(sql: Sql, tx: EntityManager, partnerId: string, postgres: boolean): Promise<void> {
  if (postgres) await sql.all('select id from partner where id = ? for no key update', [partnerId], tx);
}
