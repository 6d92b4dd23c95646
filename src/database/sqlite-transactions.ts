import { createRequire } from 'node:module';
import { BetterSqliteKnexDialect } from '@mikro-orm/knex';

// knex's own SQLite transaction, the one MikroORM's better-sqlite3 dialect uses (MikroORM
// imports knex's internals the same way, in @mikro-orm/knex's MonkeyPatchable).
const SqliteTransaction = createRequire(__filename)('knex/lib/dialects/sqlite3/execution/sqlite-transaction') as new (
  ...args: unknown[]
) => {
  readOnly?: boolean;
  trxClient: { query(conn: unknown, sql: string): Promise<unknown> };
};

/**
 * Every transaction but a read-only one starts with `BEGIN IMMEDIATE`: it takes the database's
 * write lock up front, waiting for another process's writer for up to the busy timeout. A plain
 * (deferred) `BEGIN` reads first and upgrades to the write lock at the first write; when
 * another process wrote in between, SQLite fails that upgrade at once with SQLITE_BUSY
 * ("database is locked"), which no busy timeout retries. Nested transactions are savepoints
 * inside the outer one and unchanged.
 * A BEGIN that fails (the busy timeout waited out: SQLITE_BUSY) fails the transaction with its
 * own error. knex's begin runs it through the transaction's `query`, which records the failure
 * and goes on: its callback then ran, and its first statement failed with "Transaction query
 * already complete", a 500 that named neither the lock nor the wait.
 */
class ImmediateSqliteTransaction extends SqliteTransaction {
  begin(conn: unknown): Promise<unknown> {
    return this.trxClient.query(conn, this.readOnly ? 'BEGIN DEFERRED;' : 'BEGIN IMMEDIATE;');
  }
}

/**
 * MikroORM's better-sqlite3 knex dialect with immediate transactions: every `em.transactional`
 * and every flush goes through `knex.transaction()`, so this one place covers them all.
 * Registered through MikroORM's `driverOptions` (passed to knex: `client` replaces the dialect).
 */
export class ImmediateBetterSqliteDialect extends BetterSqliteKnexDialect {
  transaction(...args: unknown[]): unknown {
    return new ImmediateSqliteTransaction(this, ...args);
  }
}
