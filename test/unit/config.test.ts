import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config';

const production = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://hub@db.internal:5432/hub',
  SESSION_SECRET: 'x'.repeat(32),
  APP_BASE_URL: 'https://hub.example.com',
  TRUSTED_PROXY_HOPS: '1',
  SMTP_URL: 'smtps://hub:mail-secret@smtp.example.com:465',
};

function errorOf(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('configuration', () => {
  it('starts in development with defaults: SQLite under var/, demo data, a local base URL', () => {
    const config = loadConfig({});
    expect(config.env).toBe('development');
    expect(config.database.url).toBeUndefined();
    expect(config.database.sqlitePath).toBe('var/partner-hub.sqlite');
    expect(config.demoSeed).toBe(true);
    expect(config.baseUrl).toBe('http://localhost:3000');
    expect(config.session.idleMs).toBe(30 * 60_000);
    expect(config.session.absoluteMs).toBe(12 * 3_600_000);
    expect(config.session.cookieName).toBe('hub.sid');
    expect(config.session.knownBrowserCookieName).toBe('hub.browser');
  });

  it('accepts a complete production configuration with a Secure __Host- cookie and no demo data', () => {
    const config = loadConfig(production);
    expect(config.isProduction).toBe(true);
    expect(config.session.cookieName).toBe('__Host-hub.sid');
    expect(config.session.knownBrowserCookieName).toBe('__Host-hub.browser');
    expect(config.session.secureCookie).toBe(true);
    expect(config.trustedProxyHops).toBe(1);
    expect(config.demoSeed).toBe(false);
  });

  it.each([
    ['DATABASE_URL', { DATABASE_URL: undefined }],
    ['SESSION_SECRET', { SESSION_SECRET: 'short-secret' }],
    ['SESSION_SECRET', { SESSION_SECRET: undefined }],
    ['APP_BASE_URL', { APP_BASE_URL: 'http://hub.example.com' }],
    ['TRUSTED_PROXY_HOPS', { TRUSTED_PROXY_HOPS: 'two' }],
    ['TRUSTED_PROXY_HOPS', { TRUSTED_PROXY_HOPS: '0' }],
    ['TRUSTED_PROXY_HOPS', { TRUSTED_PROXY_HOPS: undefined }],
    ['SMTP_URL', { SMTP_URL: undefined }],
    ['DEMO_SEED', { DEMO_SEED: 'true' }],
  ])('refuses to start in production, naming %s', (name, change) => {
    expect(errorOf({ ...production, ...change })).toContain(name);
  });

  it('refuses production without SMTP_URL, since mail to a folder is for development and tests', () => {
    expect(errorOf({ ...production, SMTP_URL: undefined })).toContain('SMTP_URL: is required in production');
    expect(loadConfig({ ...production, NODE_ENV: 'test', SMTP_URL: undefined }).mail.smtpUrl).toBeUndefined();
    expect(loadConfig({}).mail.smtpUrl).toBeUndefined();
  });

  it('never seeds demo data in production: DEMO_SEED=true is refused, false is accepted', () => {
    expect(errorOf({ ...production, DEMO_SEED: 'true' })).toContain('DEMO_SEED: must not be true in production');
    expect(loadConfig({ ...production, DEMO_SEED: 'false' }).demoSeed).toBe(false);
    expect(loadConfig({ DEMO_SEED: 'true', NODE_ENV: 'test' }).demoSeed).toBe(true);
  });

  it('runs one HTTP process unless WEB_CONCURRENCY asks for more, which an in-memory database cannot share', () => {
    expect(loadConfig({}).workers).toBe(1);
    expect(loadConfig({ ...production, WEB_CONCURRENCY: '4' }).workers).toBe(4);
    expect(loadConfig({ SQLITE_PATH: 'var/hub.sqlite', WEB_CONCURRENCY: '2' }).workers).toBe(2);
    expect(errorOf({ SQLITE_PATH: ':memory:', WEB_CONCURRENCY: '2' })).toContain(
      'WEB_CONCURRENCY: must be 1 with an in-memory SQLite database',
    );
    expect(errorOf({ WEB_CONCURRENCY: '0' })).toContain('WEB_CONCURRENCY');
  });

  it('lets no browser call the Partner API unless API_CORS_ORIGINS names exact origins', () => {
    expect(loadConfig({}).api.corsOrigins).toEqual([]);
    expect(loadConfig({ API_CORS_ORIGINS: ' https://erp.example.com , http://localhost:8080' }).api.corsOrigins).toEqual([
      'https://erp.example.com',
      'http://localhost:8080',
    ]);
    for (const origin of ['*', 'https://erp.example.com/', 'https://erp.example.com/app', 'erp.example.com', 'ftp://erp.example.com']) {
      expect(errorOf({ API_CORS_ORIGINS: origin }), origin).toContain('API_CORS_ORIGINS');
    }
  });

  it('counts the secret in bytes, not characters', () => {
    expect(errorOf({ ...production, SESSION_SECRET: 'é'.repeat(15) })).toContain('SESSION_SECRET');
    expect(loadConfig({ ...production, SESSION_SECRET: 'é'.repeat(16) }).session.secret).toHaveLength(16);
  });

  it('refuses an empty SESSION_SECRET in development too, where every page would fail', () => {
    expect(errorOf({ SESSION_SECRET: '' })).toContain('SESSION_SECRET: is empty');
  });

  it('takes only http(s) addresses for the links it writes, a sender address for MAIL_FROM, and at most 10 proxy hops', () => {
    const message = errorOf({
      CLIENT_PAYMENT_METHOD_URL: 'javascript:alert(1)',
      CLIENT_TERMINATE_URL: 'data:text/html,hi',
      APP_BASE_URL: 'javascript:alert1',
      MAIL_FROM: 'garbage',
      TRUSTED_PROXY_HOPS: '11',
      PROVIDER_SUPPORT_URL: 'javascript:alert(1)',
    });
    for (const name of [
      'CLIENT_PAYMENT_METHOD_URL',
      'CLIENT_TERMINATE_URL',
      'APP_BASE_URL',
      'MAIL_FROM',
      'TRUSTED_PROXY_HOPS',
      'PROVIDER_SUPPORT_URL',
    ]) {
      expect(message).toContain(name);
    }
    const ok = loadConfig({ MAIL_FROM: 'no-reply@hub.example.com', TRUSTED_PROXY_HOPS: '2', CLIENT_TERMINATE_URL: 'http://x.example/t' });
    expect(ok.trustedProxyHops).toBe(2);
    expect(loadConfig({ MAIL_FROM: 'Hub Team <hub@example.com>' })).toBeTruthy();
    for (const url of ['mailto:support@provider.example', 'https://provider.example/support']) {
      expect(loadConfig({ PROVIDER_SUPPORT_URL: url }).supportUrl).toBe(url);
    }
    expect(loadConfig({}).supportUrl).toBeUndefined();
  });

  it('names every bad variable at once, in any environment', () => {
    const message = errorOf({ PORT: 'eighty', SESSION_IDLE_MINUTES: '-5', SMTP_URL: 'http://mail', REVOCATION_CRON: 'every minute' });
    expect(message).toContain('REVOCATION_CRON');
    expect(message).toContain('PORT');
    expect(message).toContain('SESSION_IDLE_MINUTES');
    expect(message).toContain('SMTP_URL');
  });
});
