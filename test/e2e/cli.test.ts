import { isValidPhoneNumber } from 'libphonenumber-js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WhatsappNumber } from '../../src/accounts/entities/whatsapp-number.entity';
import { runCli } from '../../src/cli/program';
import { Partner } from '../../src/partners/entities/partner.entity';
import { familyValues } from '../../src/statuses/catalogue';
import { createTestApp, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';

describe('operator command line', () => {
  let db: TestDatabase;
  let t: TestApp;
  const env = () => ({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...db.env });

  beforeAll(async () => {
    db = await createTestDatabase();
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await runCli(['db:migrate'], env())).toBe(0);
    t = await createTestApp({ database: db, migrate: false });
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
    vi.restoreAllMocks();
  });

  it('applies the migrations with db:migrate, and a second run finds nothing to do', async () => {
    expect(await runCli(['db:migrate'], env())).toBe(0);
    expect(console.log).toHaveBeenLastCalledWith('The database is up to date.');
  });

  it('seeds deterministic demo numbers across every lifecycle status', async () => {
    expect(await runCli(['demo:seed', '--numbers', '40', '--name', 'Seeded Partner', '--seed', '7'], env())).toBe(0);
    const partner = await t.em().findOneOrFail(Partner, { name: 'Seeded Partner' });
    const numbers = await t.em().find(WhatsappNumber, { partner }, { orderBy: { providerId: 'asc' } });
    expect(numbers).toHaveLength(40);
    expect(new Set(numbers.map((n) => n.status))).toEqual(new Set(familyValues('lifecycle')));
    // Valid as the import validates them, so a download of demo data imports back.
    expect(numbers.filter((n) => !isValidPhoneNumber(n.phoneNumber)).map((n) => n.phoneNumber)).toEqual([]);

    expect(await runCli(['demo:seed', '--numbers', '40', '--name', 'Seeded Again', '--seed', '7'], env())).toBe(0);
    const again = await t.em().find(WhatsappNumber, { partner: { name: 'Seeded Again' } }, { orderBy: { providerId: 'asc' } });
    expect(again.map((n) => n.phoneNumber)).toEqual(numbers.map((n) => n.phoneNumber));
  });

  it.each([
    [['demo:seed', '--numbers', 'lots']],
    [['demo:seed', '--numbers', '0']],
    [['demo:seed', '--unknown-flag']],
    [['no:such-command']],
  ])('exits with code 2 and writes nothing for bad arguments: %j', async (argv) => {
    const before = await t.em().count(Partner, {});
    expect(await runCli(argv, env())).toBe(2);
    expect(await t.em().count(Partner, {})).toBe(before);
  });

  it('refuses demo:seed in production with a message and exit code 2, before touching the database', async () => {
    const production = {
      ...env(),
      NODE_ENV: 'production',
      // On SQLite the command gets a database it cannot reach: only a refusal exits with 2.
      DATABASE_URL: db.env.DATABASE_URL ?? 'postgres://nobody@127.0.0.1:9/unreachable',
      SESSION_SECRET: 'x'.repeat(32),
      APP_BASE_URL: 'https://hub.example.com',
      TRUSTED_PROXY_HOPS: '1',
      SMTP_URL: 'smtp://127.0.0.1:2525',
    };
    const before = await t.em().count(Partner, {});
    const printed = vi.mocked(console.log).mock.calls.length;
    const argv = ['demo:seed', '--numbers', '5', '--name', 'Production Demo', '--owner-email', 'owner@production.example'];
    expect(await runCli(argv, production)).toBe(2);
    expect(console.error).toHaveBeenLastCalledWith(
      'error: demo:seed is for development only (it creates a demo partner and prints its owner’s password): it does not run with NODE_ENV=production.',
    );
    expect(vi.mocked(console.log).mock.calls.length).toBe(printed);
    expect(await t.em().count(Partner, {})).toBe(before);
  });

  it('exits with code 1 and one line when the database cannot be reached', async () => {
    const errors = vi.mocked(console.error).mock.calls.length;
    expect(await runCli(['mail:status'], { ...env(), DATABASE_URL: 'postgres://nobody:pa55word@127.0.0.1:9/unreachable' })).toBe(1);
    const printed = vi
      .mocked(console.error)
      .mock.calls.slice(errors)
      .map((c) => c.join(' '));
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatch(/^error: .*ECONNREFUSED[^\n]*$/);
  });

  it('exits with code 2 naming the variable when the configuration is bad', async () => {
    expect(await runCli(['db:migrate'], { ...env(), PORT: 'eighty' })).toBe(2);
    expect(console.error).toHaveBeenLastCalledWith(expect.stringContaining('PORT'));
  });

  it('documents every command with --help', async () => {
    expect(await runCli(['--help'], env())).toBe(0);
    expect(await runCli(['demo:seed', '--help'], env())).toBe(0);
  });
});
