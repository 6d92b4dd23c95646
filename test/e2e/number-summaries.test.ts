import { SchedulerRegistry } from '@nestjs/schedule';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NumberSummary } from '../../src/accounts/entities/number-summary.entity';
import { WhatsappNumber } from '../../src/accounts/entities/whatsapp-number.entity';
import { AccountsImportService } from '../../src/accounts/import/accounts-import.service';
import { NumberSummaries, SUMMARY_SETTLE_MS } from '../../src/accounts/number-summaries.service';
import { NumberSummariesJob } from '../../src/accounts/number-summaries.job';
import { countSummary, readSummary, saveSummary } from '../../src/accounts/number-summary.query';
import { runCli } from '../../src/cli/program';
import { Sql } from '../../src/database/sql';
import { DemoSeedService } from '../../src/demo/demo-seed.service';
import type { Partner } from '../../src/partners/entities/partner.entity';
import { createMember, createPartner } from '../factories';
import { createNumber } from '../factories/accounts';
import { createTestApp, type TestApp } from '../support/app';
import { DAY, MINUTE } from '../support/clock';
import { createTestDatabase, onPostgres } from '../support/database';
import { signIn } from '../support/http';

const SAMPLE = `${__dirname}/../../src/accounts/import/sample/partner-channels.sample.json`;

/** The "Numbers: n" and "n need attention" of the list page as the partner's owner sees it. */
async function listCounts(t: TestApp, partner: Partner): Promise<{ total: number; attention: number }> {
  const member = await createMember(t.em(), partner);
  const agent = t.agent();
  await signIn(agent, member.email, member.password);
  const html = (await agent.get('/accounts')).text;
  return {
    total: Number(/Numbers: <strong>(\d+)<\/strong>/.exec(html)?.[1]),
    attention: Number(/<strong>(\d+)<\/strong> need attention/.exec(html)?.[1]),
  };
}

describe(`summary counts on ${onPostgres() ? 'PostgreSQL' : 'SQLite'}`, () => {
  let t: TestApp;
  let summaries: NumberSummaries;

  beforeAll(async () => {
    t = await createTestApp();
    summaries = t.app.get(NumberSummaries);
  });
  afterAll(() => t?.close());

  it('counts a partner once, when it has no summary yet, and from then on reads the stored counts', async () => {
    const partner = await createPartner(t.em());
    await createNumber(t.em(), partner, { status: 'running' });
    const [a, b] = await Promise.all([summaries.read(partner.id), summaries.read(partner.id)]);
    expect(a).toEqual({ byStatus: { running: 1 }, total: 1, attention: 0 });
    expect(b).toEqual(a);
    expect(await t.em().count(NumberSummary, { partner })).toBe(1);

    // A number written without marking the change: the page does not count again.
    await createNumber(t.em(), partner, { status: 'error' });
    expect(await listCounts(t, partner)).toEqual({ total: 1, attention: 0 });
  });

  it('shows a change marked in its transaction once the job has run: removed numbers out, attention in', async () => {
    const partner = await createPartner(t.em());
    const kept = await createNumber(t.em(), partner, { status: 'running' });
    await summaries.read(partner.id);
    await summaries.refreshDue(t.clock.now());
    expect(await summaries.refreshDue(t.clock.now())).toBe(0);

    await t.em().transactional(async (tx) => {
      await createNumber(tx, partner, { status: 'suspended' });
      await createNumber(tx, partner, { status: 'live', billingState: 'removed' });
      await tx.nativeUpdate(WhatsappNumber, { id: kept.id }, { status: 'error' });
      await summaries.markChanged(tx, [partner.id, partner.id]);
    });
    expect((await summaries.read(partner.id)).total).toBe(1);
    // Recounted once the changes settled, not at every tick while they come in.
    expect(await summaries.refreshDue(t.clock.now())).toBe(0);
    t.clock.advance(SUMMARY_SETTLE_MS);
    expect(await summaries.refreshDue(t.clock.now())).toBe(1);
    expect(await listCounts(t, partner)).toEqual({ total: 2, attention: 2 });
    expect(await summaries.read(partner.id)).toEqual({ byStatus: { error: 1, suspended: 1, live: 0 }, total: 2, attention: 2 });
  });

  it('recounts when a pending number turns into attention, at the first job run after STUCK_AFTER_DAYS', async () => {
    const partner = await createPartner(t.em());
    await createNumber(t.em(), partner, { status: 'submitted', statusChangedAt: new Date(t.clock.now().getTime() - 6 * DAY) });
    await createNumber(t.em(), partner, { status: 'submitted', statusChangedAt: new Date(t.clock.now().getTime() - 3 * DAY) });
    expect((await summaries.read(partner.id)).attention).toBe(0);
    await summaries.refreshDue(t.clock.now());

    t.clock.advance(DAY - MINUTE);
    expect(await summaries.refreshDue(t.clock.now())).toBe(0);
    t.clock.advance(2 * MINUTE);
    expect(await summaries.refreshDue(t.clock.now())).toBe(1);
    expect((await summaries.read(partner.id)).attention).toBe(1);
    // The next one is due three days later.
    t.clock.advance(3 * DAY - 2 * MINUTE);
    expect(await summaries.refreshDue(t.clock.now())).toBe(0);
    t.clock.advance(2 * MINUTE);
    expect(await summaries.refreshDue(t.clock.now())).toBe(1);
    expect((await summaries.read(partner.id)).attention).toBe(2);
  });

  it('does not keep a change counter read while the change is being committed', async () => {
    const partner = await createPartner(t.em());
    await createNumber(t.em(), partner);
    await summaries.refresh([partner.id]);
    const before = await summaries.changes(partner.id);
    let marked!: () => void;
    const markedDone = new Promise<void>((resolve) => (marked = resolve));
    let commit!: () => void;
    const committing = new Promise<void>((resolve) => (commit = resolve));
    const change = t.em().transactional(async (tx) => {
      await createNumber(tx, partner);
      await summaries.markChanged(tx, [partner.id]);
      marked();
      await committing;
    });
    await markedDone;
    // A page of this process, outside the transaction, reads the counter before the commit…
    expect(await summaries.changes(partner.id)).toBe(before);
    commit();
    await change;
    // …and the next one reads the committed counter, not the one kept meanwhile.
    expect(await summaries.changes(partner.id)).toBe(before! + 1);
    // Recounted, so that no partner of this test is left due for the next ones.
    await summaries.refresh([partner.id]);
  });

  it('keeps a summary due when a change lands while it is recounted', async () => {
    const partner = await createPartner(t.em());
    await createNumber(t.em(), partner);
    await summaries.refresh([partner.id]);
    const sql = t.app.get(Sql);
    const seen = (await readSummary(sql, partner.id))!.changes;
    const counted = await countSummary(sql, partner.id, t.clock.now());
    await t.em().transactional(async (tx) => {
      await createNumber(tx, partner);
      await summaries.markChanged(tx, [partner.id]);
    });
    await saveSummary(sql, partner.id, counted, seen, t.clock.now());
    expect((await summaries.read(partner.id)).total).toBe(1);
    t.clock.advance(SUMMARY_SETTLE_MS);
    expect(await summaries.refreshDue(t.clock.now())).toBe(1);
    expect((await summaries.read(partner.id)).total).toBe(2);
  });

  it('is current right after an import or a demo seed, with no job run', async () => {
    const partner = await createPartner(t.em());
    await summaries.read(partner.id);
    await t.app.get(AccountsImportService).importFile(partner.id, SAMPLE);
    expect((await summaries.read(partner.id)).total).toBe(4);

    const demo = await t.app.get(DemoSeedService).seed({ partnerName: 'Summary Demo', count: 40, seed: 7 });
    const summary = await summaries.read(demo.partner.id);
    expect(summary.total).toBe(40);
    expect(summary.attention).toBeGreaterThan(0);
  });
});

describe(`summary counts in two instances on ${onPostgres() ? 'PostgreSQL' : 'SQLite'}`, () => {
  it('shows the same counts in every instance as soon as the jobs process recounted, with no per-process cache', async () => {
    const db = await createTestDatabase();
    const a = await createTestApp({ database: db });
    const b = await createTestApp({ database: db, migrate: false });
    try {
      const partner = await createPartner(a.em());
      await createNumber(a.em(), partner, { status: 'running' });
      expect(await listCounts(a, partner)).toEqual({ total: 1, attention: 0 });
      expect(await listCounts(b, partner)).toEqual({ total: 1, attention: 0 });

      await a.em().transactional(async (tx) => {
        await createNumber(tx, partner, { status: 'error' });
        await a.app.get(NumberSummaries).markChanged(tx, [partner.id]);
      });
      // The jobs process is another instance.
      await b.app.get(NumberSummaries).refreshDue(new Date(b.clock.now().getTime() + SUMMARY_SETTLE_MS));
      expect(await listCounts(a, partner)).toEqual({ total: 2, attention: 1 });
      expect(await listCounts(b, partner)).toEqual({ total: 2, attention: 1 });
    } finally {
      await b.close();
      await a.close();
      await db.drop();
    }
  });
});

describe('the summaries job', () => {
  it('is registered on SUMMARY_CRON when jobs are on, and a tick recounts what is due by the app clock', async () => {
    // Other jobs start too: daily at a fixed hour, so that none runs during the test.
    const daily = '0 0 4 * * *';
    const t = await createTestApp({
      env: { JOBS_ENABLED: 'true', SUMMARY_CRON: '0 30 3 * * *', HOUSEKEEPING_CRON: daily, MAIL_CRON: daily, REVOCATION_CRON: daily },
    });
    try {
      expect(t.app.get(SchedulerRegistry).getCronJob('summaries').cronTime.source).toBe('0 30 3 * * *');
      const partner = await createPartner(t.em());
      await t.app.get(NumberSummaries).read(partner.id);
      expect(await t.app.get(NumberSummariesJob).tick()).toBe(1);
      expect(await t.app.get(NumberSummariesJob).tick()).toBe(0);
    } finally {
      await t.close();
    }
  });
});

describe('jobs:run summaries', () => {
  it('recounts every summary due, for an operator whose own scheduler runs the jobs (JOBS_ENABLED=false)', async () => {
    const db = await createTestDatabase();
    const t = await createTestApp({ database: db });
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const summaries = t.app.get(NumberSummaries);
      const partner = await createPartner(t.em());
      await createNumber(t.em(), partner, { status: 'running' });
      expect((await summaries.read(partner.id)).total).toBe(1);
      await t.em().transactional(async (tx) => {
        await createNumber(tx, partner, { status: 'suspended' });
        await summaries.markChanged(tx, [partner.id]);
      });
      expect((await summaries.read(partner.id)).total).toBe(1);

      // The command runs on the wall clock, after the test clock's change has settled.
      expect(await runCli(['jobs:run', 'summaries'], { NODE_ENV: 'test', LOG_LEVEL: 'silent', ...db.env })).toBe(0);
      expect(log).toHaveBeenLastCalledWith('Summaries: recounted the counts of 1 partner.');
      expect((await readSummary(t.app.get(Sql), partner.id))?.summary).toEqual({
        byStatus: { running: 1, suspended: 1 },
        total: 2,
        attention: 1,
      });
    } finally {
      log.mockRestore();
      await t.close();
      await db.drop();
    }
  });
});
