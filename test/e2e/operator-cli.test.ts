import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/program';
import { OperatorKey } from '../../src/operator-api/entities/operator-key.entity';
import { OperatorKeysService } from '../../src/operator-api/operator-keys.service';
import { createTestApp, type TestApp } from '../support/app';

describe('operator:key', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const env = {
        NODE_ENV: 'test',
        LOG_LEVEL: 'error',
        JOBS_ENABLED: 'false',
        DEMO_SEED: 'false',
        ...(t.config.database.url ? { DATABASE_URL: t.config.database.url } : { SQLITE_PATH: t.config.database.sqlitePath }),
      };
      const code = await runCli(['operator:key', ...argv], env);
      return { code, out: log.mock.calls.flat().join('\n'), err: error.mock.calls.flat().join('\n') };
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  }

  it('says there are none yet, then prints a new key once: phk_op_, a 96-bit id and a 256-bit secret', async () => {
    expect((await cli('list')).out).toMatch(/No operator keys/);
    const created = await cli('create', '--name', 'provider sync', '--expires', '2027-01-31');
    expect(created.code).toBe(0);
    const [key, keyId] = /phk_op_([0-9A-Za-z]{17})_[0-9A-Za-z]{43}\b/.exec(created.out)!;
    expect(created.out).toMatch(/Created operator key "provider sync" \(id [\w-]{22}, last day 2027-01-31\)/);

    const row = await t.em().findOneOrFail(OperatorKey, { keyId });
    expect(row).toMatchObject({ name: 'provider sync', revokedAt: null, lastUsedAt: null });
    // A last day works until its end (UTC), like a partner's API key.
    expect(row.expiresAt!.toISOString()).toBe('2027-02-01T00:00:00.000Z');

    const list = await cli('list');
    expect(list.out).toContain(`${row.id}  phk_op_${keyId}  provider sync  live`);
    expect(list.out).toContain('last day 2027-01-31  last used never');
    expect(list.out).not.toContain(key);
  });

  it('refuses a missing or unprintable name and an expiry that is not a later day, with exit 2 and no key made', async () => {
    const before = await t.em().count(OperatorKey, {});
    for (const argv of [
      ['create'],
      ['create', '--name', '   '],
      ['create', '--name', 'x'.repeat(101)],
      ['create', '--name', 'bell\u0007'],
      ['create', '--name', 'ok', '--expires', '31.01.2027'],
      ['create', '--name', 'ok', '--expires', '2027-02-30'],
      ['create', '--name', 'ok', '--expires', '2020-01-01'],
    ]) {
      const run = await cli(...argv);
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.out, argv.join(' ')).not.toMatch(/phk_op_/);
    }
    expect(await t.em().count(OperatorKey, {})).toBe(before);
  });

  it('revokes a key by its id once; a second revocation and an unknown id exit 2', async () => {
    const created = await cli('create', '--name', 'old sync');
    const keyId = /phk_op_([0-9A-Za-z]{17})_/.exec(created.out)![1];
    const { id } = await t.em().findOneOrFail(OperatorKey, { keyId });

    const revoked = await cli('revoke', id);
    expect(revoked.code).toBe(0);
    expect(revoked.out).toMatch(/Revoked operator key "old sync"/);
    expect((await t.em().findOneOrFail(OperatorKey, { id })).revokedAt).toBeInstanceOf(Date);
    expect((await cli('list')).out).toMatch(new RegExp(`${id}  phk_op_${keyId}  old sync  revoked \\d{4}-`));

    const again = await cli('revoke', id);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already revoked/);
    const unknown = await cli('revoke', 'no-such-key');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/no operator key with the id "no-such-key"/);
  });

  it('revokes a key whose id starts with "-", as one in 64 does, given as list shows it', async () => {
    const created = await cli('create', '--name', 'dashed');
    const keyId = /phk_op_([0-9A-Za-z]{17})_/.exec(created.out)![1];
    const { id } = await t.em().findOneOrFail(OperatorKey, { keyId });
    const dashed = `-${id.slice(1)}`;
    await t.em().nativeUpdate(OperatorKey, { id }, { id: dashed });

    const revoked = await cli('revoke', dashed);
    expect(revoked.code, revoked.err).toBe(0);
    expect((await t.em().findOneOrFail(OperatorKey, { id: dashed })).revokedAt).toBeInstanceOf(Date);
    expect((await cli('revoke', '--no-such-option')).err).toMatch(/no operator key with the id "--no-such-option"/);
  });

  it('logs a key’s creation and revocation with its ids, never its secret', async () => {
    const keys = t.app.get(OperatorKeysService);
    const { key, listing } = await keys.create({ name: 'logged', expiresAt: null });
    await keys.revoke(listing.id);
    const events = t.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const event of ['operator_key.created', 'operator_key.revoked']) {
      expect(events).toContainEqual(expect.objectContaining({ event, operatorKeyId: listing.id, name: 'logged' }));
    }
    expect(t.logs.join('\n')).not.toContain(key.slice(-43));
  });
});
