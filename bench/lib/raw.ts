import { Pool } from 'pg';
import type { BenchDatabase } from './env';

/** The part of better-sqlite3 the baselines use (the package ships no types). */
interface SqliteConnection {
  pragma(sql: string): unknown;
  exec(sql: string): void;
  prepare(sql: string): { all(...params: unknown[]): unknown[]; run(...params: unknown[]): { changes: number } };
  close(): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Database = require('better-sqlite3') as new (file: string) => SqliteConnection;

/**
 * The bare drivers, for the baselines: better-sqlite3 and node-postgres with no ORM between.
 * SQL is written with `?` placeholders and numbered for PostgreSQL. Dates go in as the
 * dialect stores them (epoch milliseconds on SQLite, as MikroORM writes them).
 */
export interface RawDb {
  dialect: BenchDatabase['dialect'];
  all<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  run(sql: string, params?: unknown[]): Promise<number>;
  /** Runs fn in one transaction (one connection). */
  transaction<T>(fn: (db: RawDb) => Promise<T>): Promise<T>;
  /** A date as a parameter. */
  date(d: Date): unknown;
  close(): Promise<void>;
}

const numbered = (sql: string) => {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
};

/**
 * `sqlitePragmas` run first on a SQLite connection: the baseline of the pages passes the app's
 * (its page cache size), so that both read the database alike.
 */
export function openRaw(db: BenchDatabase, poolMax = 10, sqlitePragmas: string[] = []): RawDb {
  if (db.dialect === 'sqlite') {
    const conn = new Database(db.sqlitePath!);
    for (const pragma of sqlitePragmas) conn.pragma(pragma);
    conn.pragma('journal_mode = WAL');
    conn.pragma('busy_timeout = 5000');
    conn.pragma('synchronous = NORMAL');
    const bind = (params: unknown[]) => params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
    const self: RawDb = {
      dialect: 'sqlite',
      all: async <T>(sql: string, params: unknown[] = []) => conn.prepare(sql).all(...bind(params)) as T[],
      run: async (sql, params = []) => conn.prepare(sql).run(...bind(params)).changes,
      transaction: async (fn) => {
        conn.exec('begin immediate');
        try {
          const out = await fn(self);
          conn.exec('commit');
          return out;
        } catch (err) {
          conn.exec('rollback');
          throw err;
        }
      },
      date: (d) => d.getTime(),
      close: async () => void conn.close(),
    };
    return self;
  }
  const pool = new Pool({ connectionString: db.url, max: poolMax });
  const on = (client: { query: Pool['query'] }): Omit<RawDb, 'transaction' | 'close'> => ({
    dialect: 'postgresql',
    all: async <T>(sql: string, params: unknown[] = []) => (await client.query(numbered(sql), params)).rows as T[],
    run: async (sql, params = []) => (await client.query(numbered(sql), params)).rowCount ?? 0,
    date: (d) => d,
  });
  return {
    ...on(pool),
    transaction: async (fn) => {
      const client = await pool.connect();
      const tx: RawDb = {
        ...on(client as never),
        transaction: () => Promise.reject(new Error('nested transaction')),
        close: async () => undefined,
      };
      try {
        await client.query('begin');
        const out = await fn(tx);
        await client.query('commit');
        return out;
      } catch (err) {
        await client.query('rollback');
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** A date column as read back: the app's one conversion. */
export { sqlDate as toDate } from '../../src/database/sql';
