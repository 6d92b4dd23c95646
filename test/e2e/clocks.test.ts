import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WhatsappNumber } from '../../src/accounts/entities/whatsapp-number.entity';
import { AccountsImportService } from '../../src/accounts/import/accounts-import.service';
import { DatabaseClock } from '../../src/database/database-clock';
import { OutboxEmail } from '../../src/mail/entities/outbox-email.entity';
import { MailScheduler } from '../../src/mail/mail.scheduler';
import { OutboxService } from '../../src/mail/outbox.service';
import { Partner } from '../../src/partners/entities/partner.entity';
import { Revocation } from '../../src/revocation/entities/revocation.entity';
import { RevocationJob } from '../../src/revocation/revocation.job';
import { createPartner } from '../factories';
import { createNumber } from '../factories/accounts';
import { createRevocation } from '../factories/revocations';
import { createTestApp, type TestApp } from '../support/app';
import { HOUR, MINUTE, TestClock } from '../support/clock';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/database';
import { startSmtp } from '../support/smtp';

const SAMPLE = resolve(__dirname, '../../src/accounts/import/sample/partner-channels.sample.json');

async function queue(t: TestApp, to: string) {
  await t.em().transactional(async (tx) => {
    t.app.get(OutboxService).enqueue(tx, { to, template: 'password_changed', subject: 'Changed', payload: { name: 'Zoë', email: to } });
  });
}

/**
 * Two instances on one database. `behind` keeps the real time (a second back, so that what it
 * queues is due by the database's clock at once); `ahead` runs `aheadMs` in front. Both run
 * their jobs through tick(), as the scheduler does.
 */
async function twoInstances(aheadMs: number) {
  const smtp = await startSmtp();
  const db = await createTestDatabase();
  const env = { SMTP_URL: smtp.url, SMTP_SOCKET_TIMEOUT_SECONDS: '120' };
  const behind = await createTestApp({ database: db, env, clock: new TestClock(new Date(Date.now() - 1000)) });
  const ahead = await createTestApp({ database: db, env, migrate: false, clock: new TestClock(new Date(Date.now() + aheadMs)) });
  return {
    smtp,
    behind,
    ahead,
    async close() {
      smtp.release();
      await ahead.close();
      await behind.close();
      await smtp.close();
      await db.drop();
    },
  };
}

/**
 * Each email once while `ahead` ticks during `behind`'s sends: the replies are held until both
 * instances have sends in flight, so `ahead` looks at the rows while `behind` still sends.
 */
async function eachOnceWhileAheadTicks(aheadMs: number) {
  const { smtp, behind, ahead, close } = await twoInstances(aheadMs);
  try {
    const n = 12;
    for (let i = 0; i < n; i++) await queue(behind, `skew${i}@example.com`);
    smtp.hold();
    const first = behind.app.get(MailScheduler).tick();
    await smtp.until(() => smtp.held === 4, 'the first instance has 4 sends in flight');
    const second = ahead.app.get(MailScheduler).tick();
    await smtp.until(() => smtp.held === 8, 'the second instance has 4 sends in flight');
    smtp.release();
    const [a, b] = await Promise.all([first, second]);
    expect(a.sent + b.sent).toBe(n);
    expect(smtp.messages).toHaveLength(n);
    expect(new Set(smtp.messages.map((m) => m.to[0])).size).toBe(n);
    expect(await behind.em().count(OutboxEmail, { status: 'sent' })).toBe(n);
  } finally {
    await close();
  }
}

describe('the database clock', () => {
  let db: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp({ database: db, clock: new TestClock(new Date('2020-01-01T00:00:00Z')) });
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  it.skipIf(onPostgres())('is the injected clock on SQLite (one instance, one machine)', async () => {
    expect(await t.app.get(DatabaseClock).now()).toEqual(new Date('2020-01-01T00:00:00Z'));
  });

  it.skipIf(!onPostgres())('is the database server’s clock on PostgreSQL, whatever the instance’s clock says', async () => {
    const now = await t.app.get(DatabaseClock).now();
    // The test's server runs on this machine: its clock and ours agree to well within an hour.
    expect(Math.abs(now.getTime() - Date.now())).toBeLessThan(HOUR);
  });
});

describe('instances whose clocks disagree', () => {
  it('send each email once when one instance runs 6 minutes ahead (SQLite: the lease’s margin; PostgreSQL: the database’s clock)', async () => {
    await eachOnceWhileAheadTicks(6 * MINUTE);
  });

  it.skipIf(!onPostgres())('send each email once when one instance runs an hour ahead, past any lease (PostgreSQL)', async () => {
    await eachOnceWhileAheadTicks(HOUR);
  });

  it.skipIf(!onPostgres())('do not retry an email early on the instance that runs ahead (PostgreSQL)', async () => {
    const { smtp, behind, ahead, close } = await twoInstances(HOUR);
    try {
      await queue(behind, 'wait@example.com');
      await behind.em().nativeUpdate(OutboxEmail, { toAddress: 'wait@example.com' }, { nextAttemptAt: new Date(Date.now() + 10 * MINUTE) });
      expect(await ahead.app.get(MailScheduler).tick()).toEqual({ sent: 0, failed: 0, dead: 0 });
      expect(smtp.to('wait@example.com')).toHaveLength(0);
    } finally {
      await close();
    }
  });

  it.skipIf(!onPostgres())('do not finalize a revocation before its time on the instance that runs ahead (PostgreSQL)', async () => {
    const { behind, ahead, close } = await twoInstances(6 * MINUTE);
    try {
      const partner = await createPartner(behind.em());
      const number = await createNumber(behind.em(), partner);
      const revocation = await createRevocation(behind.em(), partner, number, '2026-12-31');
      // Billing ends three minutes from now by the database's clock: still withdrawable.
      const dbNow = await behind.app.get(DatabaseClock).now();
      await behind.em().nativeUpdate(Revocation, { id: revocation.id }, { billingEndsAt: new Date(dbNow.getTime() + 3 * MINUTE) });
      expect(await ahead.app.get(RevocationJob).tick()).toEqual({ billingEnded: 0, removed: 0 });
      expect(await behind.app.get(RevocationJob).tick()).toEqual({ billingEnded: 0, removed: 0 });
      expect((await behind.em().findOneOrFail(WhatsappNumber, number.id)).billingState).toBe('revocation_requested');
      expect((await behind.em().findOneOrFail(Revocation, revocation.id)).billingEndedAt ?? null).toBeNull();

      // Once the database's clock passes the end, either instance finalizes it, once.
      await behind.em().nativeUpdate(Revocation, { id: revocation.id }, { billingEndsAt: new Date(dbNow.getTime() - 1000) });
      expect(await ahead.app.get(RevocationJob).tick()).toEqual({ billingEnded: 1, removed: 0 });
      expect(await behind.app.get(RevocationJob).tick()).toEqual({ billingEnded: 0, removed: 0 });
      expect((await behind.em().findOneOrFail(WhatsappNumber, number.id)).billingState).toBe('partner_billing_ended');
    } finally {
      await close();
    }
  });
});

describe("entities' createdAt and updatedAt", () => {
  let t: TestApp;
  const start = new Date('2031-05-01T09:00:00.000Z');

  beforeAll(async () => {
    t = await createTestApp({ clock: new TestClock(start) });
  });
  afterAll(() => t?.close());

  it('come from the app clock on create and on each update that changes something, not from the machine', async () => {
    const em = t.em();
    const partner = await createPartner(em);
    expect([partner.createdAt, partner.updatedAt]).toEqual([start, start]);

    t.clock.advance(HOUR);
    partner.name = 'Renamed';
    await em.flush();
    t.clock.advance(HOUR);
    await em.flush();
    const stored = await t.em().findOneOrFail(Partner, partner.id);
    expect([stored.createdAt, stored.updatedAt]).toEqual([start, new Date(start.getTime() + HOUR)]);
  });

  it('keep a time the caller gave, and stamp what a service creates', async () => {
    const em = t.em();
    const partner = new Partner('Given Times', `given-${Date.now()}`);
    partner.createdAt = new Date('2030-01-01T00:00:00Z');
    await em.persist(partner).flush();
    expect([partner.createdAt, partner.updatedAt]).toEqual([new Date('2030-01-01T00:00:00Z'), new Date('2030-01-01T00:00:00Z')]);

    await t.app.get(AccountsImportService).importFile(partner.id, SAMPLE);
    const numbers = await t.em().find(WhatsappNumber, { partner });
    expect(numbers.map((n) => [n.createdAt, n.updatedAt])).toEqual(numbers.map(() => [t.clock.now(), t.clock.now()]));
  });
});
