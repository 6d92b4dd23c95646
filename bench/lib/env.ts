import { randomBytes } from 'node:crypto';
import { loadConfig, type AppConfig } from '../../src/config/config';

export type Dialect = 'sqlite' | 'postgresql';

/** Where one bench database lives: a SQLite file or a PostgreSQL database URL. */
export interface BenchDatabase {
  dialect: Dialect;
  sqlitePath?: string;
  url?: string;
}

/** A fixed secret per run: the app server and the processes that sign in share it. */
const SESSION_SECRET = process.env.BENCH_SESSION_SECRET ?? randomBytes(48).toString('base64url');

/**
 * The environment every bench process runs the app with: NODE_ENV=production (view cache,
 * Secure __Host- cookie, no migrations or demo seed at start), jobs off (the bench triggers
 * them), one trusted proxy hop so that `X-Forwarded-Proto: https` from the load generator
 * counts as TLS terminated in front of the app, as it would be behind a load balancer.
 */
export function benchEnv(db: BenchDatabase, workers = 1): Record<string, string> {
  return {
    NODE_ENV: 'production',
    BENCH_DIALECT: db.dialect,
    ...(db.sqlitePath ? { BENCH_SQLITE_PATH: db.sqlitePath } : {}),
    // Production refuses to start without DATABASE_URL; on SQLite the config is made with a
    // placeholder and its database switched to the file afterwards (benchConfig).
    DATABASE_URL: db.url ?? 'postgres://unused.invalid/sqlite-bench',
    APP_BASE_URL: 'https://hub.bench.localhost',
    // Production refuses to start without real mail; the bench sends none.
    SMTP_URL: 'smtp://127.0.0.1:9',
    SESSION_SECRET,
    BENCH_SESSION_SECRET: SESSION_SECRET,
    TRUSTED_PROXY_HOPS: '1',
    JOBS_ENABLED: 'false',
    DEMO_SEED: 'false',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: '0',
    // The servers' HTTP processes (app and baseline alike); jobs run in a process of their own.
    WEB_CONCURRENCY: String(workers),
    // The download loops take 100,000-row files back to back for minutes: the row budget is
    // tested in test/e2e; here it is still checked (its queries run) but never reached.
    EXPORT_ROWS_PER_HOUR: '1000000000',
    // The same for the Partner API's per-key limit (600 a minute by default): one key takes
    // thousands of requests a second here. Its counter is still written on every request.
    API_RATE_LIMIT_PER_MINUTE: '1000000',
  };
}

/** The production AppConfig of a bench process, from benchEnv() in its environment. */
export function benchConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const config = loadConfig(env);
  if (env.BENCH_DIALECT === 'sqlite') {
    if (!env.BENCH_SQLITE_PATH) throw new Error('BENCH_SQLITE_PATH is not set');
    return { ...config, database: { ...config.database, url: undefined, sqlitePath: env.BENCH_SQLITE_PATH } };
  }
  return config;
}

export function dbFromEnv(env: NodeJS.ProcessEnv = process.env): BenchDatabase {
  const dialect = env.BENCH_DIALECT as Dialect;
  return dialect === 'sqlite' ? { dialect, sqlitePath: env.BENCH_SQLITE_PATH } : { dialect, url: env.DATABASE_URL };
}

/** Peak resident memory of this process so far, in MB. */
export function maxRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}
