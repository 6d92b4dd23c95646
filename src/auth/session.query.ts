import { sqlDate, type Sql } from '../database/sql';

export interface StoredSession {
  data: string;
  expiresAt: Date;
  absoluteExpiresAt: Date;
}

/**
 * Deletes up to `limit` sessions past their idle or absolute limit (the store refuses these
 * already), picked and deleted in one statement; housekeeping runs it until none is left.
 */
export const EXPIRED_SESSIONS = `delete from session where sid in (
  select sid from session where expires_at <= ? or absolute_expires_at <= ? limit ?)`;

/** A stored session by its id, read on every request: one row by primary key, no entity. */
export async function readSession(sql: Sql, sid: string): Promise<StoredSession | null> {
  const [row] = await sql.all<{ data: string; expires_at: unknown; absolute_expires_at: unknown }>(
    'select data, expires_at, absolute_expires_at from session where sid = ?',
    [sid],
  );
  return row ? { data: row.data, expiresAt: sqlDate(row.expires_at), absoluteExpiresAt: sqlDate(row.absolute_expires_at) } : null;
}
