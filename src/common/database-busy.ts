import type { HubRequest } from './http';
import type { Logger } from './logger';

/**
 * Failures that say the database was too busy to answer in time, not that anything is wrong
 * with the request or the data: the same request may well succeed a moment later.
 * - SQLite: another process held the write lock past SQLITE_BUSY_TIMEOUT_MS ("database is locked").
 * - PostgreSQL: a statement ran past DB_STATEMENT_TIMEOUT_MS (57014, mostly waiting for a lock
 *   another transaction holds), a lock could not be had (55P03), a deadlock or serialization
 *   failure rolled the transaction back (40P01, 40001), or the server had no connection left (53300).
 * - Either: no pooled connection came free in time (knex's KnexTimeoutError).
 * MikroORM's exceptions copy the driver error's `code` and message (not its name); the reader
 * of Sql throws the driver's own.
 */
const POSTGRESQL_BUSY = new Set(['57014', '55P03', '40P01', '40001', '53300']);
/** better-sqlite3 reports extended codes too: SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED_SHAREDCACHE. */
const SQLITE_BUSY = /^SQLITE_(BUSY|LOCKED)(_|$)/;

/** knex's pool, waited out (KnexTimeoutError, or its message in MikroORM's DriverException). */
const POOL_TIMEOUT = /^Knex: Timeout acquiring a connection\b/;

/** How long the answer to a busy database asks a person or a client to wait before trying again. */
export const DATABASE_BUSY_RETRY_SECONDS = 5;

export function isDatabaseBusy(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 3; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, name, message } = e as { code?: unknown; name?: unknown; message?: unknown };
    if (name === 'KnexTimeoutError' || (typeof message === 'string' && POOL_TIMEOUT.test(message))) return true;
    if (typeof code === 'string' && (POSTGRESQL_BUSY.has(code) || SQLITE_BUSY.test(code))) return true;
  }
  return false;
}

/** The warning either filter logs for a request answered 503 because the database was busy. */
export function logDatabaseBusy(logger: Logger, req: HubRequest, error: unknown): void {
  logger.warn(
    { event: 'database.busy', requestId: req.id, method: req.method, path: req.path, error: (error as Error).message },
    'database too busy: answered 503',
  );
}
