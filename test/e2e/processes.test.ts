import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WhatsappNumber } from '../../src/accounts/entities/whatsapp-number.entity';
import { Partner } from '../../src/partners/entities/partner.entity';
import { Revocation } from '../../src/revocation/entities/revocation.entity';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createNumber } from '../factories/accounts';
import { createRevocations } from '../factories/revocations';
import { postgresqlMigrations } from '../../migrations/postgresql';
import { sqliteMigrations } from '../../migrations/sqlite';
import { createTestApp, type TestApp } from '../support/app';
import { freePort } from '../support/ports';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/database';
import { postForm, signIn } from '../support/http';

const ROOT = resolve(__dirname, '..', '..');
/** Revocations due for the job when the command starts. */
const DUE = 3000;

interface SqliteFile {
  pragma(sql: string, options?: { simple: boolean }): unknown;
  prepare(sql: string): { get(): unknown; all(): unknown[] };
  close(): void;
}
const Database = createRequire(__filename)('better-sqlite3') as new (file: string, options?: object) => SqliteFile;

/**
 * Runs the TypeScript sources in a child process the way the build would (no dist/ needed):
 * a require hook that compiles each .ts file with SWC, as the tests' own transform does.
 * node:cluster passes it on to the HTTP workers and the jobs process (execArgv).
 */
const HOOK = `
const { readFileSync } = require('node:fs');
const { transformSync } = require(${JSON.stringify(require.resolve('@swc/core', { paths: [ROOT] }))});
require.extensions['.ts'] = function (module, filename) {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    module: { type: 'commonjs' },
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      target: 'es2022',
      keepClassNames: true,
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
  });
  module._compile(code, filename);
};
`;

interface Run {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

function run(hook: string, script: string, args: string[], env: Record<string, string>): Run {
  const child = spawn(process.execPath, ['-r', hook, join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  return { child, output: () => output, exit };
}

describe.skipIf(onPostgres())('SQLite with several processes (WEB_CONCURRENCY=2, the jobs process, the CLI)', () => {
  let dir: string;
  let hook: string;
  let db: TestDatabase;
  let t: TestApp;
  let hub: Run | undefined;
  let env: Record<string, string>;
  let partner: Partner;
  let owner: MemberFixture;
  let numbers: WhatsappNumber[];
  let numberCount: number;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hub-processes-'));
    hook = join(dir, 'swc-hook.cjs');
    writeFileSync(hook, HOOK);
    db = await createTestDatabase();
    // Migrates the file and arranges the data; it stays open as one more process's connection.
    t = await createTestApp({ database: db });
    partner = await createPartner(t.em(), { name: 'Busy Partners' });
    owner = await createMember(t.em(), partner, { role: 'owner' });
    numbers = [];
    for (let i = 0; i < 200; i++) numbers.push(await createNumber(t.em(), partner));
    numberCount = await t.em().count(WhatsappNumber, {});

    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    env = {
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      DEMO_SEED: 'false',
      SQLITE_PATH: db.env.SQLITE_PATH,
      MAIL_DIR: join(dir, 'mail'),
      PORT: String(port),
      APP_BASE_URL: url,
    };
    hub = run(hook, 'src/main.ts', [], {
      ...env,
      WEB_CONCURRENCY: '2',
      JOBS_ENABLED: 'true',
      REVOCATION_CRON: '* * * * * *',
      MAIL_CRON: '* * * * * *',
    });
    await vi.waitFor(
      () => {
        if (hub!.child.exitCode !== null) throw new Error(`the hub exited: ${hub!.output()}`);
        expect(hub!.output()).toContain('with 2 HTTP workers and a jobs process');
      },
      { timeout: 200_000, interval: 200 },
    );
  }, 300_000);

  afterAll(async () => {
    if (hub && hub.child.exitCode === null) {
      hub.child.kill('SIGTERM');
      const killed = setTimeout(() => hub!.child.kill('SIGKILL'), 60_000);
      await hub.exit;
      clearTimeout(killed);
    }
    await t?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  }, 90_000);

  it('takes revocation requests on both HTTP workers while the jobs process, jobs:run revocations and db:backup run, with no failed request', async () => {
    const agent = request.agent(url);
    await signIn(agent, owner.email, owner.password);
    // The session's CSRF secret is made by its first page: before the parallel forms.
    expect((await agent.get('/accounts')).status).toBe(200);

    // Due for the revocation job (requested two years ago), written while the hub runs: work
    // for the jobs process (every second) and the command, which share it.
    await createRevocations(t.em(), partner, DUE, new Date(Date.now() - 2 * 365 * 86_400_000));
    numberCount = await t.em().count(WhatsappNumber, {});

    // The command runs beside the hub; requests go in waves of 20 at once until it is done
    // (at least 60), so they meet its writes and the jobs process's.
    const cli = run(hook, 'src/cli/main.ts', ['jobs:run', 'revocations'], env);
    const backupFile = join(dir, 'backup.sqlite');
    const backup = run(hook, 'src/cli/main.ts', ['db:backup', backupFile], env);
    const statuses: number[] = [];
    const revoked: string[] = [];
    let cliDone = false;
    void cli.exit.then(() => (cliDone = true));
    while ((!cliDone || statuses.length < 60) && revoked.length < numbers.length) {
      const wave = numbers.slice(revoked.length, revoked.length + 20);
      revoked.push(...wave.map((n) => n.id));
      const answers = await Promise.all(
        wave.map((n) =>
          postForm(
            agent,
            `/accounts/${n.id}/revocation`,
            { confirmation: n.phoneNumber, reason: 'The client pays directly.' },
            `/accounts/${n.id}/revocation/new`,
          ),
        ),
      );
      statuses.push(...answers.map((res) => res.status));
    }
    const code = await cli.exit;
    const backupCode = await backup.exit;

    expect(cli.output()).toMatch(/Revocations: \d+ billing ended, \d+ numbers removed\./);
    expect(code).toBe(0);
    expect(statuses.length).toBeGreaterThanOrEqual(60);
    // With what the hub logged, should one fail: its fault is in there.
    expect(
      statuses.filter((s) => s !== 303),
      hub!.output().slice(-8000),
    ).toEqual([]);
    // Every request made its revocation.
    expect(await t.em().count(Revocation, { number: { $in: revoked }, withdrawnAt: null })).toBe(revoked.length);
    expect(hub!.output()).not.toMatch(/database is locked|SQLITE_BUSY/);

    // The backup, taken meanwhile, is a whole database of its own.
    expect(backup.output()).toContain(`to ${backupFile}`);
    expect(backupCode).toBe(0);
    const copy = new Database(backupFile, { readonly: true, fileMustExist: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(copy.prepare('select count(*) as n from whatsapp_number').get()).toEqual({ n: numberCount });
      const { n } = copy.prepare('select count(*) as n from revocation').get() as { n: number };
      expect(n).toBeGreaterThanOrEqual(DUE);
      expect(n).toBeLessThanOrEqual(DUE + revoked.length);
    } finally {
      copy.close();
    }
    console.info(`${statuses.length} revocation requests, ${statuses.filter((s) => s >= 500).length} failed; ${cli.output().trim()}`);
  }, 300_000);
});

describe('db:migrate started three times at once', () => {
  let dir: string;
  let hook: string;
  let db: TestDatabase;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hub-migrate-'));
    hook = join(dir, 'swc-hook.cjs');
    writeFileSync(hook, HOOK);
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies the migrations once: one run applies them, the others wait and find the database up to date', async () => {
    const env = { NODE_ENV: 'development', LOG_LEVEL: 'warn', ...db.env };
    const runs = [1, 2, 3].map(() => run(hook, 'src/cli/main.ts', ['db:migrate'], env));
    const codes = await Promise.all(runs.map((r) => r.exit));
    const outputs = runs.map((r) => r.output().trim());

    expect(codes, outputs.join('\n---\n')).toEqual([0, 0, 0]);
    const all = onPostgres() ? postgresqlMigrations : sqliteMigrations;
    expect(outputs.filter((o) => o.startsWith(`Applied ${all.length} migration(s)`))).toHaveLength(1);
    expect(outputs.filter((o) => o === 'The database is up to date.')).toHaveLength(2);
    const names = await appliedMigrations(db);
    expect(names).toHaveLength(all.length);
    expect(new Set(names).size).toBe(all.length);
  }, 240_000);
});

describe('two development starts on one new database', () => {
  let dir: string;
  let hook: string;
  let db: TestDatabase;
  const hubs: Run[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hub-demo-'));
    hook = join(dir, 'swc-hook.cjs');
    writeFileSync(hook, HOOK);
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const hub of hubs) if (hub.child.exitCode === null) hub.child.kill('SIGKILL');
    await Promise.all(hubs.map((hub) => hub.exit));
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('seed the demo partner once: one prints its sign-in, the other finds it', async () => {
    for (const i of [1, 2]) {
      const port = await freePort();
      hubs.push(
        run(hook, 'src/main.ts', [], {
          NODE_ENV: 'development',
          LOG_LEVEL: 'warn',
          DEMO_SEED: 'true',
          JOBS_ENABLED: 'false',
          ...db.env,
          MAIL_DIR: join(dir, `mail-${i}`),
          PORT: String(port),
          APP_BASE_URL: `http://127.0.0.1:${port}`,
        }),
      );
    }
    await vi.waitFor(
      () => {
        for (const hub of hubs) {
          if (hub.child.exitCode !== null) throw new Error(`a hub exited: ${hub.output()}`);
          expect(hub.output()).toContain('Partner Hub listening on');
        }
      },
      { timeout: 200_000, interval: 200 },
    );
    const outputs = hubs.map((hub) => hub.output());
    expect(
      outputs.filter((o) => o.includes('Demo partner seeded with 300 numbers')),
      outputs.join('\n---\n'),
    ).toHaveLength(1);
    const t = await createTestApp({ database: db, migrate: false });
    try {
      expect(await t.em().count(Partner, {})).toBe(1);
      expect(await t.em().count(WhatsappNumber, {})).toBe(300);
    } finally {
      await t.close();
    }
  }, 240_000);
});

/** The rows of the migrations table. */
async function appliedMigrations(db: TestDatabase): Promise<string[]> {
  const sql = 'select name from mikro_orm_migrations order by id';
  if (!onPostgres()) {
    const conn = new Database(db.env.SQLITE_PATH, { readonly: true });
    try {
      return (conn.prepare(sql).all() as { name: string }[]).map((r) => r.name);
    } finally {
      conn.close();
    }
  }
  const client = new Client({ connectionString: db.env.DATABASE_URL });
  await client.connect();
  try {
    return (await client.query<{ name: string }>(sql)).rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}
