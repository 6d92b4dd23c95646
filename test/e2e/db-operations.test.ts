import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WhatsappNumber } from '../../src/accounts/entities/whatsapp-number.entity';
import { ENTITIES } from '../../src/app.entities';
import { runCli } from '../../src/cli/program';
import { loadConfig } from '../../src/config/config';
import { migrateUp } from '../../src/database/migrations';
import { forBatchWork, ormOptions } from '../../src/database/orm.config';
import { postgresqlMigrations } from '../../migrations/postgresql';
import { createPartner } from '../factories';
import { createNumber } from '../factories/accounts';
import { createTestApp, type TestApp } from '../support/app';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/database';

interface SqliteFile {
  pragma(sql: string, options?: { simple: boolean }): unknown;
  prepare(sql: string): { get(): unknown; all(): unknown[] };
  exec(sql: string): void;
  close(): void;
}
const Database = createRequire(__filename)('better-sqlite3') as new (file: string, options?: object) => SqliteFile;

const PRODUCTION = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'silent',
  SESSION_SECRET: 'x'.repeat(32),
  APP_BASE_URL: 'https://hub.example.com',
  TRUSTED_PROXY_HOPS: '1',
  SMTP_URL: 'smtp://127.0.0.1:2525',
};

describe('database operations', () => {
  let db: TestDatabase;
  let t: TestApp;
  let dir: string;
  const env = () => ({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...db.env });

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'hub-dbops-'));
    t = await createTestApp({ database: db, env: { SQLITE_BUSY_TIMEOUT_MS: '1234', DB_STATEMENT_TIMEOUT_MS: '300' } });
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
    vi.restoreAllMocks();
  });

  it("refuses to migrate another application's database, naming its tables, and writes nothing to it", async () => {
    const foreign = await createTestDatabase();
    /** Runs statements on a database and returns the last one's rows. */
    const query = async (target: TestDatabase, ...statements: string[]): Promise<unknown[]> => {
      if (!onPostgres()) {
        const file = new Database(target.env.SQLITE_PATH);
        try {
          for (const sql of statements.slice(0, -1)) file.exec(sql);
          return file.prepare(statements.at(-1)!).all();
        } finally {
          file.close();
        }
      }
      const client = new Client({ connectionString: target.env.DATABASE_URL });
      await client.connect();
      try {
        let rows: unknown[] = [];
        for (const sql of statements) rows = (await client.query(sql)).rows;
        return rows;
      } finally {
        await client.end();
      }
    };
    const tables = onPostgres()
      ? "select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1"
      : "select name from sqlite_master where type = 'table' order by 1";
    try {
      await query(
        foreign,
        'create table invoices (id integer primary key, total integer)',
        'create table customers (id integer primary key)',
        tables,
      );
      vi.spyOn(console, 'error').mockImplementation(() => undefined);
      expect(await runCli(['db:migrate'], { ...env(), ...foreign.env })).toBe(1);
      const printed = String(vi.mocked(console.error).mock.lastCall?.[0]);
      expect(printed).toBe(
        `error: This database is not the hub's: it has tables of its own (customers, invoices) and no record of the hub's migrations. ` +
          `Nothing was written. Point ${onPostgres() ? 'DATABASE_URL' : 'SQLITE_PATH'} at a new, empty database or at the hub's own.`,
      );
      expect(await query(foreign, tables)).toEqual([{ name: 'customers' }, { name: 'invoices' }]);
      // An empty database (a view is no application's data), and the hub's own, still migrate.
      const empty = await createTestDatabase();
      try {
        await query(empty, 'create view probe as select 1 as one', tables);
        if (onPostgres()) {
          // A role whose own schema comes first: the hub's tables go there, the migrator's stays in public.
          const name = new URL(empty.env.DATABASE_URL).pathname.slice(1);
          await query(empty, 'create schema app', `alter database ${name} set search_path = app, public`, 'select 1');
        }
        expect(await runCli(['db:migrate'], { ...env(), ...empty.env })).toBe(0);
        expect(await runCli(['db:migrate'], { ...env(), ...empty.env })).toBe(0);
      } finally {
        await empty.drop();
      }
    } finally {
      await foreign.drop();
    }
  });

  describe.skipIf(onPostgres())('SQLite', () => {
    it('takes the write lock when a transaction begins, so a writer in another process waits instead of failing mid-transaction', async () => {
      const other = new Database(db.env.SQLITE_PATH);
      other.pragma('busy_timeout = 0');
      try {
        await t.em().transactional(async (em) => {
          // Only a read so far: a deferred BEGIN would hold no write lock yet.
          await em.count(WhatsappNumber, {});
          expect(() => other.exec('BEGIN IMMEDIATE')).toThrow(/database is locked/);
        });
        other.exec('BEGIN IMMEDIATE');
        other.exec('ROLLBACK');
      } finally {
        other.close();
      }
    });

    it('waits for another process’s writer for SQLITE_BUSY_TIMEOUT_MS', async () => {
      const rows = await t.em().getConnection().execute('pragma busy_timeout');
      expect(rows).toEqual([{ timeout: 1234 }]);
    });

    it('backs up the database with db:backup into a copy that opens, checks and counts the same', async () => {
      const partner = await createPartner(t.em());
      for (let i = 0; i < 5; i++) await createNumber(t.em(), partner);
      const numbers = await t.em().count(WhatsappNumber, {});
      const file = join(dir, 'copy.sqlite');
      vi.spyOn(console, 'log').mockImplementation(() => undefined);

      expect(await runCli(['db:backup', file], env())).toBe(0);
      expect(console.log).toHaveBeenLastCalledWith(expect.stringContaining(`to ${file}`));
      const copy = new Database(file, { readonly: true, fileMustExist: true });
      try {
        expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(copy.prepare('select count(*) as n from whatsapp_number').get()).toEqual({ n: numbers });
      } finally {
        copy.close();
      }
    });

    it('refuses to overwrite an existing file with db:backup (exit code 2)', async () => {
      const file = join(dir, 'taken.sqlite');
      writeFileSync(file, 'keep me');
      vi.spyOn(console, 'error').mockImplementation(() => undefined);
      expect(await runCli(['db:backup', file], env())).toBe(2);
      expect(console.error).toHaveBeenLastCalledWith(`error: ${file} already exists: db:backup does not overwrite a file.`);
      expect(readFileSync(file, 'utf8')).toBe('keep me');
    });
  });

  describe.skipIf(!onPostgres())('PostgreSQL', () => {
    it('refuses db:backup and points at pg_dump', async () => {
      vi.spyOn(console, 'error').mockImplementation(() => undefined);
      const file = join(dir, 'pg.backup');
      expect(await runCli(['db:backup', file], env())).toBe(2);
      expect(console.error).toHaveBeenLastCalledWith(expect.stringContaining('pg_dump -Fc'));
      expect(existsSync(file)).toBe(false);
    });

    it('gives up on a database host that accepts connections and never answers, in seconds', async () => {
      const silent = createServer(() => undefined).listen(0, '127.0.0.1');
      await once(silent, 'listening');
      const url = `postgres://postgres@127.0.0.1:${(silent.address() as AddressInfo).port}/hub`;
      try {
        const started = Date.now();
        await expect(MikroORM.init(ormOptions(loadConfig({ ...env(), DATABASE_URL: url }), { entities: ENTITIES }))).rejects.toThrow(
          /timeout/i,
        );
        // About 5 s (the connect timeout); without it, knex's pool gave up after its own 30 s.
        expect(Date.now() - started).toBeLessThan(20_000);
      } finally {
        silent.close();
      }
    }, 60_000);

    it('cancels a statement that runs past DB_STATEMENT_TIMEOUT_MS with an error', async () => {
      await expect(t.em().getConnection().execute('select pg_sleep(30)')).rejects.toThrow(/statement timeout/);
      // The connection is fine afterwards.
      expect(await t.em().getConnection().execute('select 1 as one')).toEqual([{ one: 1 }]);
    });

    it('gives jobs and commands the longer JOBS_STATEMENT_TIMEOUT_MS', async () => {
      const config = loadConfig({ ...env(), DB_STATEMENT_TIMEOUT_MS: '300', JOBS_STATEMENT_TIMEOUT_MS: '120000' });
      const orm = await MikroORM.init(ormOptions(forBatchWork(config), { entities: ENTITIES }));
      try {
        expect(await orm.em.getConnection().execute('show statement_timeout')).toEqual([{ statement_timeout: '2min' }]);
      } finally {
        await orm.close(true);
      }
      expect(await t.em().getConnection().execute('show statement_timeout')).toEqual([{ statement_timeout: '300ms' }]);
    });

    it('applies the migrations once when three runs start together on a fresh database: the others wait for the first', async () => {
      const fresh = await createTestDatabase();
      // Initialised first, so the three runs start at the same moment (test/e2e/processes.test.ts
      // runs db:migrate three times as processes).
      const orms = await Promise.all(
        [1, 2, 3].map(() => MikroORM.init(ormOptions(loadConfig({ ...env(), ...fresh.env }), { entities: ENTITIES }))),
      );
      try {
        const applied = await Promise.all(orms.map((orm) => migrateUp(orm)));
        expect(applied.map((names) => names.length).sort()).toEqual([0, 0, postgresqlMigrations.length]);
        const rows = await orms[0].em.getConnection().execute('select count(*)::int as n from mikro_orm_migrations');
        expect(rows).toEqual([{ n: postgresqlMigrations.length }]);
      } finally {
        await Promise.all(orms.map((orm) => orm.close(true)));
        await fresh.drop();
      }
    });

    it('in production, fails to start on a database that does not exist, naming it, and creates none', async () => {
      const url = new URL(db.env.DATABASE_URL);
      const missing = `${url.pathname.slice(1)}_typo`;
      url.pathname = `/${missing}`;
      const production = { ...PRODUCTION, DATABASE_URL: url.toString() };
      const message = `The PostgreSQL database "${missing}" does not exist.`;

      await expect(MikroORM.init(ormOptions(loadConfig(production), { entities: ENTITIES }))).rejects.toThrow(message);
      vi.spyOn(console, 'error').mockImplementation(() => undefined);
      expect(await runCli(['db:migrate'], production)).toBe(1);
      const printed = String(vi.mocked(console.error).mock.lastCall?.[0]);
      expect(printed).toContain(message);
      expect(printed).not.toMatch(/\n\s+at /);
      expect(await runCli(['jobs:run', 'revocations'], production)).toBe(1);
      expect(String(vi.mocked(console.error).mock.lastCall?.[0])).toContain(message);

      const admin = new Client({ connectionString: process.env.DATABASE_URL });
      await admin.connect();
      try {
        expect((await admin.query('select 1 from pg_database where datname = $1', [missing])).rowCount).toBe(0);
      } finally {
        await admin.end();
      }
    });
  });
});
