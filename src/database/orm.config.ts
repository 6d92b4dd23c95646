import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { EntityClass, Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import type { AppConfig } from '../config/config';
import { postgresqlMigrations } from '../../migrations/postgresql';
import { sqliteMigrations } from '../../migrations/sqlite';
import { BaseEntity } from './base.entity';
import { MIGRATIONS_TABLE } from './migrations';
import { checkedPostgreSqlDriver } from './postgresql-driver';
import { ImmediateBetterSqliteDialect } from './sqlite-transactions';

export type Dialect = 'sqlite' | 'postgresql';

// Only the configured database's driver is loaded: the other one costs some 25 MB per process.
const load = createRequire(__filename);

export function dialectOf(config: AppConfig): Dialect {
  return config.database.url ? 'postgresql' : 'sqlite';
}

/** Where `db:diff` writes new migrations; the app itself loads them from the lists below. */
export function migrationsFolder(dialect: Dialect): string {
  return join(process.cwd(), 'migrations', dialect);
}

/**
 * Every SQLite connection, the ORM's and Sql's reader: wait for another process's writer
 * (SQLITE_BUSY_TIMEOUT_MS) instead of failing, and SQLite's own 2 MB page cache, not
 * better-sqlite3's 16 MB. The busy timeout comes first: the pragmas after it may need a lock.
 */
export function sqliteConnectionPragmas(config: AppConfig): string[] {
  return [`busy_timeout = ${config.database.sqliteBusyTimeoutMs}`, 'cache_size = -2000'];
}

/**
 * The configuration of the jobs process and of operator commands: batch work, so PostgreSQL's
 * longer statement timeout (JOBS_STATEMENT_TIMEOUT_MS) instead of the requests' one.
 */
export function forBatchWork(config: AppConfig): AppConfig {
  return { ...config, database: { ...config.database, statementTimeoutMs: config.database.jobsStatementTimeoutMs } };
}

/**
 * MikroORM options for the configured database. Migrations are imported as classes (not
 * globbed from disk), so the app, the CLI and the tests run the very same committed list.
 * The PostgreSQL statement timeout is `config.database.statementTimeoutMs`: the requests' one,
 * or the jobs' one in a configuration from `forBatchWork`. The database knows no feature's
 * entities: the app's modules register theirs (autoLoadEntities), and whatever opens the ORM
 * without the app (the CLI's db commands, tests) passes the whole list (src/app.entities.ts).
 */
export function ormOptions(config: AppConfig, opts: { entities?: EntityClass<unknown>[]; writeSnapshot?: boolean } = {}): Options {
  const dialect = dialectOf(config);
  const common = {
    entities: [BaseEntity, ...(opts.entities ?? [])],
    discovery: { requireEntitiesArray: true },
    extensions: [Migrator],
    forceUtcTimezone: true,
    ignoreUndefinedInQuery: true,
    allowGlobalContext: false,
    debug: false,
    migrations: {
      path: migrationsFolder(dialect),
      pathTs: migrationsFolder(dialect),
      tableName: MIGRATIONS_TABLE,
      transactional: true,
      allOrNothing: true,
      // Only `db:diff` writes the snapshot: running migrations must not touch the install folder.
      snapshot: opts.writeSnapshot ?? false,
      snapshotName: '.snapshot',
      silent: true,
      emit: 'ts' as const,
      migrationsList: dialect === 'sqlite' ? sqliteMigrations : postgresqlMigrations,
    },
  };
  if (dialect === 'postgresql') {
    const { statementTimeoutMs } = config.database;
    return {
      ...common,
      driver: checkedPostgreSqlDriver((load('@mikro-orm/postgresql') as typeof import('@mikro-orm/postgresql')).PostgreSqlDriver),
      clientUrl: config.database.url,
      // A database that accepts connections and never answers (a dead host behind a proxy)
      // fails a connection after 5 s, and a request waiting for one after 10 s, not a minute.
      pool: { min: 0, max: config.database.poolMax, acquireTimeoutMillis: 10_000 },
      // Production never creates a database: a typo in DATABASE_URL is a start-up error
      // (checkedPostgreSqlDriver), not a new empty database the hub runs on.
      ensureDatabase: !config.isProduction,
      // Set when each connection opens (pg's startup options): a statement that runs longer is
      // cancelled and fails, so a stuck database turns into errors, not requests that hang.
      driverOptions: { connection: { options: `-c statement_timeout=${statementTimeoutMs}`, connectionTimeoutMillis: 5_000 } },
    } as Options;
  }
  const file = config.database.sqlitePath;
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  return {
    ...common,
    driver: (load('@mikro-orm/better-sqlite') as typeof import('@mikro-orm/better-sqlite')).BetterSqliteDriver,
    dbName: file,
    // Transactions take the write lock up front (BEGIN IMMEDIATE): see sqlite-transactions.ts.
    driverOptions: { client: ImmediateBetterSqliteDialect },
    // One connection: better-sqlite3 is synchronous, and WAL lets readers in other processes
    // (HTTP workers, the jobs process, the CLI) work beside the one writer; the busy timeout
    // waits for that writer instead of failing.
    // SQLite's own 2 MB page cache, not better-sqlite3's 16 MB: the operating system caches
    // the file anyway, and an export that reads every number filled the 16 MB (12 MB more
    // peak RSS per process; a summary count at 100,000 numbers takes 130 ms, not 107).
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: { pragma(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void) => {
        for (const pragma of sqliteConnectionPragmas(config)) conn.pragma(pragma);
        conn.pragma('journal_mode = WAL');
        conn.pragma('synchronous = NORMAL');
        done(null, conn);
      },
    },
  } as Options;
}
