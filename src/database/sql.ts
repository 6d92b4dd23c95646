import { createRequire } from 'node:module';
import { setImmediate as nextTick, setTimeout as sleep } from 'node:timers/promises';
import { EntityManager, type Transaction } from '@mikro-orm/core';
import type { AbstractSqlConnection } from '@mikro-orm/knex';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { dialectOf, sqliteConnectionPragmas, type Dialect } from './orm.config';

/** At most this many statements are kept prepared on the SQLite reader, and named for PostgreSQL's connections. */
const MAX_STATEMENTS = 200;

/**
 * How long a batch job leaves SQLite's write lock free between two batches: half as long as
 * the batch held it, within these bounds. Another process's writer waits in SQLite's busy
 * handler, which looks at the lock again every 100 ms once it has waited a quarter of a second:
 * a free moment much shorter than that is nearly always taken by the job's next batch (or
 * another job's), and a request could wait out its whole busy timeout (SQLITE_BUSY_TIMEOUT_MS)
 * and fail. Half the batch's time gives a waiting writer some 16 chances in 5 s whatever the
 * batch takes (longer batches, fewer but longer pauses), and costs the job a third of its time
 * at most.
 */
export const SQLITE_BATCH_PAUSE = { share: 0.5, minMs: 10, maxMs: 100 };

/** What Sql uses of better-sqlite3 (its public API). */
interface SqliteStatement {
  raw(on: boolean): SqliteStatement;
  columns(): { name: string }[];
  all(...params: unknown[]): unknown[][];
}
interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  pragma(pragma: string): unknown;
  close(): void;
}

/** A statement prepared on the reader, with the names of its columns. */
interface Prepared {
  statement: SqliteStatement;
  names: string[];
}

/** A hand-written query was called inside a transaction that it was not given. */
export class SqlOutsideTransactionError extends Error {
  constructor() {
    super(
      "Sql was called inside a transaction without it: pass the transaction's EntityManager (`sql.all(query, params, tx)`). " +
        'On SQLite the transaction holds the only connection, so a query beside it would wait for it forever.',
    );
    this.name = 'SqlOutsideTransactionError';
  }
}

/**
 * The one way to run a hand-written query, with `?` placeholders (no `?` in literals) and the
 * values converted here as the ORM stores them. Writes, everything in a transaction and every
 * PostgreSQL query run on MikroORM's own connection and pool (`Connection.execute`), where
 * nothing is named or prepared on the server, but for the reads by key (`byKey`) unless
 * DB_PREPARED_STATEMENTS=false: the hub then works behind any transaction-mode pooler.
 * A read outside a transaction on a SQLite file runs on a read-only connection of Sql's own,
 * opened with better-sqlite3 and keeping its statements prepared: WAL lets it read what was
 * committed beside the ORM's one connection, and preparing the page reads' SQL again cost
 * three times running it.
 * Inside a transaction, pass its EntityManager: the query runs in it. Called inside a
 * transaction without it, it refuses (on SQLite it would deadlock or, on the reader, not see
 * the transaction's writes), on both databases alike so that the tests of either catch it.
 * Results come back as the driver gives them: read dates, booleans and counts with sqlDate,
 * sqlBoolean and sqlNumber.
 */
@Injectable()
export class Sql implements OnModuleDestroy {
  /** The database's kind, for the few reads that each planner runs best written its own way. */
  readonly dialect: Dialect;
  private readonly sqlite: boolean;
  /** Whether `byKey` prepares its reads on PostgreSQL (DB_PREPARED_STATEMENTS). */
  private readonly prepare: boolean;
  /** The SQLite file the reader opens; none in memory (no other connection sees that database) or on PostgreSQL. */
  private readonly sqliteFile?: string;
  private readonly pragmas: string[];
  private reader?: { db: SqliteDatabase; statements: Map<string, Prepared> };
  /** The names of the statements `byKey` prepares on PostgreSQL's connections, by their text. */
  private readonly names = new Map<string, string>();

  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.dialect = dialectOf(config);
    this.sqlite = this.dialect === 'sqlite';
    this.prepare = config.database.preparedStatements;
    if (this.sqlite && config.database.sqlitePath !== ':memory:') this.sqliteFile = config.database.sqlitePath;
    this.pragmas = sqliteConnectionPragmas(config);
  }

  /** The rows a read returns. */
  async all<T>(query: string, params: readonly unknown[] = [], tx?: EntityManager): Promise<T[]> {
    const ctx = this.transactionOf(tx);
    if (!ctx && this.sqliteFile) return this.read(this.sqliteFile, query, params) as T[];
    return (tx ?? this.em).getConnection().execute<T[]>(query, this.params(params), 'all', ctx);
  }

  /**
   * A read by a primary or unique key that requests make again and again with the same text (a
   * session, a number by id, an API key), outside any transaction. On PostgreSQL it is a
   * statement prepared on each connection, planned there once instead of on every request:
   * planning was most of what such a read cost the server (a number's details: 0.06 ms of its
   * time instead of 0.55 on a 2-core host). After five runs PostgreSQL may keep one generic plan
   * for every value: only for reads whose plan the values cannot change, a lookup by key.
   * Behind a transaction-mode pooler that cannot keep them (PgBouncer before 1.21, or without
   * `max_prepared_statements`), DB_PREPARED_STATEMENTS=false runs it as `all` does.
   */
  async byKey<T>(query: string, params: readonly unknown[]): Promise<T[]> {
    if (this.sqlite || !this.prepare || this.em.isInTransaction()) return this.all<T>(query, params);
    let name = this.names.get(query);
    if (!name && this.names.size < MAX_STATEMENTS) this.names.set(query, (name = `hub_${this.names.size + 1}`));
    const knex = (this.em.getConnection() as AbstractSqlConnection).getKnex();
    const raw = knex.raw(query, this.params(params) as Parameters<typeof knex.raw>[1]);
    const result = (await (name ? raw.options({ name }) : raw)) as { rows: T[] };
    return result.rows;
  }

  /** Runs a write that returns rows (`insert … returning`), on the ORM's connection like every write. */
  async returning<T>(query: string, params: readonly unknown[] = [], tx?: EntityManager): Promise<T[]> {
    return (tx ?? this.em).getConnection().execute<T[]>(query, this.params(params), 'all', this.transactionOf(tx));
  }

  /** Runs a write; returns how many rows it changed. */
  async run(query: string, params: readonly unknown[] = [], tx?: EntityManager): Promise<number> {
    const ctx = this.transactionOf(tx);
    const result = await (tx ?? this.em).getConnection().execute<{ affectedRows: number }>(query, this.params(params), 'run', ctx);
    return result.affectedRows;
  }

  /**
   * What a job that writes in batches awaits between two of them, outside any transaction,
   * given how long the last batch took: the requests of this process that wait on the database
   * go first; on SQLite, other processes' writers get the lock too (SQLITE_BATCH_PAUSE).
   */
  async betweenWriteBatches(batchMs: number): Promise<void> {
    if (!this.sqlite) {
      await nextTick();
      return;
    }
    const { share, minMs, maxMs } = SQLITE_BATCH_PAUSE;
    await sleep(Math.min(maxMs, Math.max(minMs, share * batchMs)));
  }

  /**
   * Runs a `DELETE … LIMIT ?` (the batch size is its last parameter) again until it deletes
   * less than a batch, so that a backlog never holds a long lock; returns the rows deleted.
   */
  async deleteInBatches(query: string, params: readonly unknown[], batchSize: number): Promise<number> {
    let total = 0;
    for (;;) {
      const started = performance.now();
      const deleted = await this.run(query, [...params, batchSize]);
      total += deleted;
      if (deleted < batchSize) return total;
      await this.betweenWriteBatches(performance.now() - started);
    }
  }

  onModuleDestroy(): void {
    this.reader?.db.close();
    this.reader = undefined;
  }

  /** The transaction to run in: the one given, or none when there is none around the call. */
  private transactionOf(tx: EntityManager | undefined): Transaction | undefined {
    const ctx = tx?.getTransactionContext<Transaction>();
    if (!ctx && this.em.isInTransaction()) throw new SqlOutsideTransactionError();
    return ctx;
  }

  private read(file: string, query: string, params: readonly unknown[]): unknown[] {
    if (!this.reader) {
      const Database = createRequire(__filename)('better-sqlite3') as new (file: string, options: object) => SqliteDatabase;
      const db = new Database(file, { readonly: true, fileMustExist: true });
      for (const pragma of this.pragmas) db.pragma(pragma);
      this.reader = { db, statements: new Map() };
    }
    const { db, statements } = this.reader;
    let prepared = statements.get(query);
    if (!prepared) {
      if (statements.size >= MAX_STATEMENTS) statements.clear();
      const statement = db.prepare(query).raw(true);
      statements.set(query, (prepared = { statement, names: statement.columns().map((c) => c.name) }));
    }
    return objectsOf(prepared.names, prepared.statement.all(...this.params(params)));
  }

  /** Parameters as the ORM writes them: on SQLite, dates as epoch milliseconds and booleans as 0/1. */
  private params(params: readonly unknown[]): unknown[] {
    if (!this.sqlite) return [...params];
    return params.map((v) => (v instanceof Date ? v.getTime() : typeof v === 'boolean' ? Number(v) : v));
  }
}

/**
 * The rows as objects, made here from the reader's arrays: better-sqlite3 sets every column of
 * every row on a new object from C++, which took a fifth longer than this loop for a list page
 * (51 rows of 17 columns). As with the driver's objects, a name read twice keeps the last value.
 */
function objectsOf(names: readonly string[], rows: unknown[][]): Record<string, unknown>[] {
  return rows.map((row) => {
    const object: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) object[names[i]] = row[i];
    return object;
  });
}

/** A date column as a driver returns it: epoch milliseconds (SQLite, as a number or text) or a Date (PostgreSQL). */
export function sqlDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  return new Date(typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : String(value));
}

/** A nullable date column. */
export function sqlNullableDate(value: unknown): Date | null {
  return value === null || value === undefined ? null : sqlDate(value);
}

/** A boolean column: 0/1 on SQLite, true/false on PostgreSQL. */
export function sqlBoolean(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't' || value === 'true';
}

/** A count or other integer: PostgreSQL returns bigints as text. */
export function sqlNumber(value: unknown): number {
  return Number(value);
}
