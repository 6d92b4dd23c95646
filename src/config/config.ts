import { validateCronExpression } from 'cron';
import { z } from 'zod';

/**
 * Every environment variable the hub reads, validated once at start.
 * `.env.example` documents the same list; keep them in step.
 */
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(min).max(max)).default(def);

const cron = (def: string) =>
  z
    .string()
    .refine((v) => validateCronExpression(v).valid, 'must be a cron expression (seconds first, e.g. "0 * * * * *")')
    .default(def);

/** A web address: http or https only (a `javascript:` link in an email or a page is no address). */
const webUrl = () => z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' });

/** A sender as mail headers write it: `Name <address@host>` or the bare address. */
const MAIL_SENDER = /^(?:[^<>\r\n]*<[^<>\s@]+@[^<>\s@]+\.[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+\.[^<>\s@]+)$/;

const DEV_SESSION_SECRET = 'development-only-session-secret-do-not-use-in-production';

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    HOST: z.string().default('127.0.0.1'),
    PORT: int(3000, 0, 65535),
    WEB_CONCURRENCY: int(1, 1, 64),
    APP_BASE_URL: webUrl().optional(),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    SQLITE_PATH: z.string().default('var/partner-hub.sqlite'),
    DB_POOL_MAX: int(10, 1, 100),
    DB_PREPARED_STATEMENTS: bool.default(true),
    DB_STATEMENT_TIMEOUT_MS: int(15_000, 0, 3_600_000),
    JOBS_STATEMENT_TIMEOUT_MS: int(300_000, 0, 86_400_000),
    SQLITE_BUSY_TIMEOUT_MS: int(5_000, 0, 600_000),
    SESSION_SECRET: z.string().min(1, 'is empty: leave it unset in development, or give at least 32 bytes').optional(),
    SESSION_IDLE_MINUTES: int(30, 1, 24 * 60),
    SESSION_ABSOLUTE_HOURS: int(12, 1, 24 * 30),
    HTTP_HEADERS_TIMEOUT_SECONDS: int(20, 1, 600),
    HTTP_REQUEST_TIMEOUT_SECONDS: int(60, 1, 3600),
    HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: int(5, 1, 600),
    SHUTDOWN_TIMEOUT_SECONDS: int(25, 1, 600),
    ACCESS_LOG: bool.default(true),
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    TRUSTED_PROXY_HOPS: int(0, 0, 10),
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
      .optional(),
    MAIL_FROM: z
      .string()
      .regex(MAIL_SENDER, 'must be an address, e.g. "Partner Hub <no-reply@hub.example.com>"')
      .default('Partner Hub <no-reply@partner-hub.localhost>'),
    MAIL_DIR: z.string().default('var/mail'),
    MAIL_MAX_ATTEMPTS: int(8, 1, 50),
    SMTP_CONNECT_TIMEOUT_SECONDS: int(10, 1, 120),
    SMTP_SOCKET_TIMEOUT_SECONDS: int(30, 1, 300),
    INVITATION_TTL_HOURS: int(168, 1, 24 * 60),
    PASSWORD_RESET_TTL_MINUTES: int(60, 5, 24 * 60),
    JOBS_ENABLED: bool.default(true),
    MAIL_CRON: cron('*/5 * * * * *'),
    REVOCATION_CRON: cron('0 * * * * *'),
    HOUSEKEEPING_CRON: cron('0 17 * * * *'),
    SUMMARY_CRON: cron('*/10 * * * * *'),
    SENT_MAIL_RETENTION_DAYS: int(30, 1, 3650),
    TOKEN_RETENTION_DAYS: int(30, 1, 3650),
    ANONYMOUS_SESSION_MINUTES: int(30, 1, 24 * 60),
    CLIENT_PAYMENT_METHOD_URL: webUrl().default('https://provider.example/payment-method'),
    CLIENT_TERMINATE_URL: webUrl().default('https://provider.example/terminate-number'),
    PROVIDER_SUPPORT_URL: z.url({ protocol: /^(https?|mailto)$/, message: 'must be an https:// URL or a mailto: address' }).optional(),
    API_RATE_LIMIT_PER_MINUTE: int(600, 1, 1_000_000),
    // Web origins whose pages may call the Partner API from a browser: exact, comma-separated.
    API_CORS_ORIGINS: z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((origin) => origin.trim())
          .filter(Boolean),
      )
      .pipe(
        z.array(
          z.string().refine((origin) => {
            try {
              const url = new URL(origin);
              return /^https?:$/.test(url.protocol) && url.origin === origin;
            } catch {
              return false;
            }
          }, 'each must be an origin: a scheme and a host, with a port if any, no path ("https://erp.example.com")'),
        ),
      ),
    EXPORT_ROWS_PER_HOUR: int(1_000_000, 1, 1_000_000_000),
    DEMO_SEED: bool.optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.WEB_CONCURRENCY > 1 && !env.DATABASE_URL && env.SQLITE_PATH === ':memory:') {
      ctx.addIssue({ code: 'custom', path: ['WEB_CONCURRENCY'], message: 'must be 1 with an in-memory SQLite database' });
    }
    if (env.NODE_ENV !== 'production') return;
    if (!env.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'is required in production' });
    }
    if (!env.SESSION_SECRET || Buffer.byteLength(env.SESSION_SECRET) < 32) {
      ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'must be at least 32 bytes in production' });
    }
    if (!env.APP_BASE_URL || !env.APP_BASE_URL.startsWith('https://')) {
      ctx.addIssue({ code: 'custom', path: ['APP_BASE_URL'], message: 'must be an https:// URL in production' });
    }
    // The hub serves plain HTTP: in production a TLS-terminating proxy stands in front of it,
    // and the Secure session cookie is only set when that proxy says the request came over
    // https (X-Forwarded-Proto), which is believed from trusted hops only. At 0 nobody could sign in.
    if (env.TRUSTED_PROXY_HOPS < 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['TRUSTED_PROXY_HOPS'],
        message: 'must be 1 or more in production (the proxies that terminate TLS in front of the hub; its session cookie needs https)',
      });
    }
    // Mail to a folder is for development and tests: in production the emails would pile up
    // unread on one instance's disk, each with a working reset or invitation link.
    if (!env.SMTP_URL) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'is required in production (mail to a folder is for development)' });
    }
    // The demo seed creates a partner with a known sign-in and prints its password.
    if (env.DEMO_SEED) {
      ctx.addIssue({ code: 'custom', path: ['DEMO_SEED'], message: 'must not be true in production (demo data with a printed password)' });
    }
  });

export type Env = z.infer<typeof schema>;

export interface AppConfig {
  env: Env['NODE_ENV'];
  isProduction: boolean;
  host: string;
  port: number;
  /** HTTP worker processes (node:cluster) when above 1. */
  workers: number;
  baseUrl: string;
  /** Node's HTTP server limits, and how long SIGTERM waits for work in flight. */
  http: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number; shutdownTimeoutMs: number };
  accessLog: boolean;
  /** /metrics: with a token, served to whoever sends it as a Bearer; without, to loopback only. */
  metrics: { token?: string };
  database: {
    url?: string;
    sqlitePath: string;
    poolMax: number;
    /** Whether reads by key are prepared on PostgreSQL's connections (off behind a pooler that cannot keep them). */
    preparedStatements: boolean;
    /** PostgreSQL statement_timeout for requests, and for jobs and commands (0: none). */
    statementTimeoutMs: number;
    jobsStatementTimeoutMs: number;
    sqliteBusyTimeoutMs: number;
  };
  session: {
    secret: string;
    idleMs: number;
    absoluteMs: number;
    cookieName: string;
    knownBrowserCookieName: string;
    secureCookie: boolean;
  };
  trustedProxyHops: number;
  mail: { smtpUrl?: string; from: string; dir: string; maxAttempts: number; connectTimeoutMs: number; socketTimeoutMs: number };
  tokens: { invitationTtlMs: number; resetTtlMs: number };
  jobs: { enabled: boolean; mailCron: string; revocationCron: string; housekeepingCron: string; summaryCron: string };
  /** What housekeeping keeps: sent emails and used or expired tokens this long; anonymous sessions expire sooner. */
  retention: { sentMailMs: number; tokensMs: number; anonymousSessionMs: number };
  revocationLinks: { paymentMethodUrl: string; terminateUrl: string };
  /** Where partners reach the provider's support (a page or a mailto:), linked where a next step says to; unset: no link. */
  supportUrl?: string;
  /** The Partner API: requests per key and minute, counted across every instance. */
  api: { rateLimitPerMinute: number; corsOrigins: string[] };
  /** Downloads of the accounts list: rows one person may download in a rolling hour, in any number of files. */
  exports: { rowsPerHour: number };
  demoSeed: boolean;
  logLevel: string;
}

export class ConfigError extends Error {}

/** Parses the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const isProduction = e.NODE_ENV === 'production';
  return {
    env: e.NODE_ENV,
    isProduction,
    host: e.HOST,
    port: e.PORT,
    workers: e.WEB_CONCURRENCY,
    baseUrl: (e.APP_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    http: {
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_SECONDS * 1000,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_SECONDS * 1000,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_SECONDS * 1000,
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    },
    accessLog: e.ACCESS_LOG,
    metrics: { token: e.METRICS_TOKEN },
    database: {
      url: e.DATABASE_URL,
      sqlitePath: e.SQLITE_PATH,
      poolMax: e.DB_POOL_MAX,
      preparedStatements: e.DB_PREPARED_STATEMENTS,
      statementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
      jobsStatementTimeoutMs: e.JOBS_STATEMENT_TIMEOUT_MS,
      sqliteBusyTimeoutMs: e.SQLITE_BUSY_TIMEOUT_MS,
    },
    session: {
      secret: e.SESSION_SECRET ?? DEV_SESSION_SECRET,
      idleMs: e.SESSION_IDLE_MINUTES * 60_000,
      absoluteMs: e.SESSION_ABSOLUTE_HOURS * 3_600_000,
      // __Host- needs Secure, which needs https: production only.
      cookieName: isProduction ? '__Host-hub.sid' : 'hub.sid',
      knownBrowserCookieName: isProduction ? '__Host-hub.browser' : 'hub.browser',
      secureCookie: isProduction,
    },
    trustedProxyHops: e.TRUSTED_PROXY_HOPS,
    mail: {
      smtpUrl: e.SMTP_URL,
      from: e.MAIL_FROM,
      dir: e.MAIL_DIR,
      maxAttempts: e.MAIL_MAX_ATTEMPTS,
      connectTimeoutMs: e.SMTP_CONNECT_TIMEOUT_SECONDS * 1000,
      socketTimeoutMs: e.SMTP_SOCKET_TIMEOUT_SECONDS * 1000,
    },
    tokens: {
      invitationTtlMs: e.INVITATION_TTL_HOURS * 3_600_000,
      resetTtlMs: e.PASSWORD_RESET_TTL_MINUTES * 60_000,
    },
    jobs: {
      enabled: e.JOBS_ENABLED,
      mailCron: e.MAIL_CRON,
      revocationCron: e.REVOCATION_CRON,
      housekeepingCron: e.HOUSEKEEPING_CRON,
      summaryCron: e.SUMMARY_CRON,
    },
    retention: {
      sentMailMs: e.SENT_MAIL_RETENTION_DAYS * 86_400_000,
      tokensMs: e.TOKEN_RETENTION_DAYS * 86_400_000,
      anonymousSessionMs: e.ANONYMOUS_SESSION_MINUTES * 60_000,
    },
    revocationLinks: { paymentMethodUrl: e.CLIENT_PAYMENT_METHOD_URL, terminateUrl: e.CLIENT_TERMINATE_URL },
    supportUrl: e.PROVIDER_SUPPORT_URL,
    api: { rateLimitPerMinute: e.API_RATE_LIMIT_PER_MINUTE, corsOrigins: e.API_CORS_ORIGINS },
    exports: { rowsPerHour: e.EXPORT_ROWS_PER_HOUR },
    demoSeed: !isProduction && (e.DEMO_SEED ?? e.NODE_ENV === 'development'),
    logLevel: e.LOG_LEVEL ?? (e.NODE_ENV === 'test' ? 'silent' : 'info'),
  };
}

/** Where the hub serves and what it stores in, for its start-up line. */
export function listeningOn(config: AppConfig): string {
  return `${config.baseUrl} (${config.database.url ? 'PostgreSQL' : `SQLite ${config.database.sqlitePath}`})`;
}

/** The attributes of the hub's cookies (the session's, the known browser's), to set and to delete them alike. */
export function cookieOptions(config: AppConfig) {
  return { httpOnly: true, sameSite: 'lax', secure: config.session.secureCookie, path: '/' } as const;
}

/** Injection token for the validated configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');
