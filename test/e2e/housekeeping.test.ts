import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { SchedulerRegistry } from '@nestjs/schedule';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiKey } from '../../src/api/entities/api-key.entity';
import { IdempotencyKey } from '../../src/api/entities/idempotency-key.entity';
import { SessionRecord } from '../../src/auth/entities/session.entity';
import { UserToken } from '../../src/auth/entities/user-token.entity';
import { runCli } from '../../src/cli/program';
import { HousekeepingJob } from '../../src/housekeeping/housekeeping.job';
import { HOUSEKEEPING_BATCH_SIZE, HousekeepingService } from '../../src/housekeeping/housekeeping.service';
import { OutboxEmail, type OutboxStatus } from '../../src/mail/entities/outbox-email.entity';
import { RateLimit } from '../../src/throttle/entities/rate-limit.entity';
import type { User } from '../../src/auth/entities/user.entity';
import type { Partner } from '../../src/partners/entities/partner.entity';
import { createTestApp, type TestApp } from '../support/app';
import { DAY, HOUR, MINUTE } from '../support/clock';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createMember, createPartner } from '../factories';

const at = (base: Date, ms: number) => new Date(base.getTime() + ms);

async function wipe(em: EntityManager) {
  await em.nativeDelete(OutboxEmail, {});
  await em.nativeDelete(UserToken, {});
  await em.nativeDelete(SessionRecord, {});
  await em.nativeDelete(RateLimit, {});
  await em.nativeDelete(IdempotencyKey, {});
}

async function insertSession(em: EntityManager, expiresAt: Date, absoluteExpiresAt: Date, userId: string | null = null): Promise<string> {
  const sid = randomBytes(16).toString('base64url');
  await em.insert(SessionRecord, { sid, data: '{"cookie":{}}', userId, expiresAt, absoluteExpiresAt });
  return sid;
}

async function insertToken(em: EntityManager, user: User, expiresAt: Date, consumedAt: Date | null = null): Promise<string> {
  const token = new UserToken('password_reset', user, expiresAt);
  token.consumedAt = consumedAt;
  await em.persist(token).flush();
  return token.id;
}

async function insertEmail(
  em: EntityManager,
  status: OutboxStatus,
  dates: { nextAttemptAt: Date; sentAt?: Date },
  tokenId?: string,
): Promise<string> {
  const email = new OutboxEmail('someone@example.com', 'password_reset', { subject: 'Reset your password' });
  email.status = status;
  email.nextAttemptAt = dates.nextAttemptAt;
  email.sentAt = dates.sentAt ?? null;
  email.tokenId = tokenId ?? null;
  await em.persist(email).flush();
  return email.id;
}

async function insertCounters(em: EntityManager, resetsAt: Date, n = 1): Promise<string[]> {
  const keys = Array.from({ length: n }, () => `test:${randomBytes(12).toString('base64url')}`);
  await em.insertMany(
    RateLimit,
    keys.map((key) => ({ key, points: 3, resetsAt })),
  );
  return keys;
}

/** A Partner API key, revoked: its Idempotency-Keys are pruned by no claim of its own any more. */
async function insertApiKey(em: EntityManager, partner: Partner, revokedAt: Date): Promise<ApiKey> {
  const key = new ApiKey({
    partner,
    name: 'old sync',
    scope: 'read_write',
    keyId: randomBytes(12).toString('base64url'),
    secretHash: randomBytes(32).toString('hex'),
    createdBy: 'someone-gone-000000000',
  });
  key.revokedAt = revokedAt;
  await em.persist(key).flush();
  return key;
}

async function insertIdempotencyKey(em: EntityManager, apiKey: ApiKey, expiresAt: Date): Promise<string> {
  const row = new IdempotencyKey({ apiKey, idempotencyKey: randomBytes(12).toString('hex'), fingerprint: 'f'.repeat(64), expiresAt });
  row.responseStatus = 201;
  row.responseBody = '{}';
  await em.persist(row).flush();
  return row.id;
}

const sidsLeft = async (t: TestApp) => (await t.em().find(SessionRecord, {})).map((s) => s.sid).sort();
const tokenIdsLeft = async (t: TestApp) => (await t.em().find(UserToken, {})).map((s) => s.id).sort();
const emailIdsLeft = async (t: TestApp) => (await t.em().find(OutboxEmail, {})).map((s) => s.id).sort();
const keysLeft = async (t: TestApp) => (await t.em().find(RateLimit, {})).map((s) => s.key).sort();
const idempotencyIdsLeft = async (t: TestApp) => (await t.em().find(IdempotencyKey, {})).map((s) => s.id).sort();

describe('housekeeping', () => {
  let t: TestApp;
  let partner: Partner;
  let user: User;

  beforeAll(async () => {
    t = await createTestApp();
    partner = await createPartner(t.em());
    user = (await createMember(t.em(), partner)).user;
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    t.clock.set('2026-11-26T10:00:00Z');
    await wipe(t.em());
  });
  afterEach(() => vi.restoreAllMocks());

  const run = (options?: { batchSize?: number }) => t.app.get(HousekeepingService).run(t.clock.now(), options);

  it('deletes sessions past their idle or absolute limit and keeps the ones still valid', async () => {
    const now = t.clock.now();
    const stillValid = await insertSession(t.em(), at(now, 50 * MINUTE), at(now, 11 * HOUR), user.id);
    const idleSoon = await insertSession(t.em(), at(now, 40 * MINUTE), at(now, 11 * HOUR));
    const idleGone = await insertSession(t.em(), at(now, 5 * MINUTE), at(now, 11 * HOUR));
    const absoluteGone = await insertSession(t.em(), at(now, 2 * HOUR), at(now, 10 * MINUTE), user.id);

    t.clock.advance(30 * MINUTE);
    expect(await run()).toMatchObject({ sessions: 2 });
    expect(await sidsLeft(t)).toEqual([stillValid, idleSoon].sort());
    expect(await sidsLeft(t)).not.toContain(idleGone);
    expect(await sidsLeft(t)).not.toContain(absoluteGone);

    t.clock.advance(10 * MINUTE); // idleSoon's expiry is now: expired, as the store reads it
    expect(await run()).toMatchObject({ sessions: 1 });
    expect(await sidsLeft(t)).toEqual([stillValid]);
  });

  it('deletes tokens used or expired longer ago than the retention, unless a pending email still needs one', async () => {
    const start = t.clock.now();
    const usedLongAgo = await insertToken(t.em(), user, at(start, HOUR), start);
    const expiredLongAgo = await insertToken(t.em(), user, at(start, HOUR));
    const usedRecently = await insertToken(t.em(), user, at(start, 7 * DAY), at(start, 3 * DAY));
    const expiredRecently = await insertToken(t.em(), user, at(start, 3 * DAY));
    const stillValid = await insertToken(t.em(), user, at(start, 40 * DAY));
    const awaitedByPendingEmail = await insertToken(t.em(), user, at(start, HOUR));
    const pendingEmail = await insertEmail(t.em(), 'pending', { nextAttemptAt: start }, awaitedByPendingEmail);
    const ofSentEmail = await insertToken(t.em(), user, at(start, HOUR), at(start, MINUTE));

    t.clock.advance(t.config.retention.tokensMs + 2 * HOUR);
    const sentEmail = await insertEmail(t.em(), 'sent', { nextAttemptAt: t.clock.now(), sentAt: t.clock.now() }, ofSentEmail);
    const result = await run();

    expect(result.tokens).toBe(3);
    expect(await tokenIdsLeft(t)).toEqual([usedRecently, expiredRecently, stillValid, awaitedByPendingEmail].sort());
    expect(await tokenIdsLeft(t)).not.toContain(usedLongAgo);
    expect(await tokenIdsLeft(t)).not.toContain(expiredLongAgo);
    // The pending email keeps its link; the sent one (within its own retention) stays, naming a
    // token that is gone (a plain id: mail's table has no key into auth's).
    const pending = await t.em().findOneOrFail(OutboxEmail, pendingEmail);
    expect(pending.tokenId).toBe(awaitedByPendingEmail);
    const sent = await t.em().findOneOrFail(OutboxEmail, sentEmail);
    expect(sent).toMatchObject({ status: 'sent', tokenId: ofSentEmail });
    expect(await tokenIdsLeft(t)).not.toContain(ofSentEmail);
    expect(result.emails).toBe(0);
  });

  it('deletes sent and dead emails older than the retention and keeps pending ones whatever their age', async () => {
    const start = t.clock.now();
    const sentLongAgo = await insertEmail(t.em(), 'sent', { nextAttemptAt: start, sentAt: start });
    const deadLongAgo = await insertEmail(t.em(), 'dead', { nextAttemptAt: start });
    const pendingLongAgo = await insertEmail(t.em(), 'pending', { nextAttemptAt: start });

    t.clock.advance(t.config.retention.sentMailMs - DAY);
    const sentRecently = await insertEmail(t.em(), 'sent', { nextAttemptAt: t.clock.now(), sentAt: t.clock.now() });
    const deadRecently = await insertEmail(t.em(), 'dead', { nextAttemptAt: t.clock.now() });

    t.clock.advance(DAY + MINUTE);
    expect(await run()).toMatchObject({ emails: 2 });
    expect(await emailIdsLeft(t)).toEqual([pendingLongAgo, sentRecently, deadRecently].sort());
    expect(await emailIdsLeft(t)).not.toContain(sentLongAgo);
    expect(await emailIdsLeft(t)).not.toContain(deadLongAgo);
  });

  it('deletes rate-limit counters whose window has ended and keeps the running ones', async () => {
    const now = t.clock.now();
    const [ended] = await insertCounters(t.em(), at(now, 5 * MINUTE));
    const [endsNow] = await insertCounters(t.em(), at(now, 15 * MINUTE));
    const [running] = await insertCounters(t.em(), at(now, 15 * MINUTE + 1000));

    t.clock.advance(15 * MINUTE);
    expect(await run()).toMatchObject({ rateLimits: 2 });
    expect(await keysLeft(t)).toEqual([running]);
    expect(await keysLeft(t)).not.toContain(ended);
    expect(await keysLeft(t)).not.toContain(endsNow);
  });

  it("deletes the Partner API's Idempotency-Keys past their 24 hours, those of a revoked API key too", async () => {
    const now = t.clock.now();
    const apiKey = await insertApiKey(t.em(), partner, at(now, -DAY));
    const expired = await insertIdempotencyKey(t.em(), apiKey, at(now, -MINUTE));
    const expiresNow = await insertIdempotencyKey(t.em(), apiKey, now);
    const kept = await insertIdempotencyKey(t.em(), apiKey, at(now, HOUR));

    expect(await run()).toMatchObject({ idempotencyKeys: 2 });
    expect(await idempotencyIdsLeft(t)).toEqual([kept]);
    expect(await idempotencyIdsLeft(t)).not.toContain(expired);
    expect(await idempotencyIdsLeft(t)).not.toContain(expiresNow);
  });

  it('deletes a backlog larger than a batch in several statements of at most one batch each', async () => {
    const now = t.clock.now();
    const past = at(now, -40 * DAY);
    for (let i = 0; i < 25; i++) {
      await insertSession(t.em(), past, past);
      const token = await insertToken(t.em(), user, past);
      await insertEmail(t.em(), 'sent', { nextAttemptAt: past, sentAt: past }, token);
    }
    await insertCounters(t.em(), past, 25);
    const apiKey = await insertApiKey(t.em(), partner, past);
    for (let i = 0; i < 25; i++) await insertIdempotencyKey(t.em(), apiKey, past);
    const keep = await insertSession(t.em(), at(now, HOUR), at(now, HOUR));

    const connection = t.orm.em.getConnection();
    const execute = vi.spyOn(connection, 'execute');
    expect(await run({ batchSize: 10 })).toEqual({ sessions: 25, tokens: 25, emails: 25, rateLimits: 25, idempotencyKeys: 25 });

    const deletes: { table: string; rows: number }[] = [];
    for (const [i, call] of execute.mock.calls.entries()) {
      const sql = String(call[0]);
      if (!sql.startsWith('delete from')) continue;
      const { affectedRows } = (await execute.mock.results[i].value) as { affectedRows: number };
      deletes.push({ table: sql.split(' ')[2], rows: affectedRows });
    }
    for (const table of ['session', 'user_token', 'outbox_email', 'rate_limit', 'api_idempotency_key']) {
      // 10 + 10 + 5: three statements, none above the batch.
      expect(deletes.filter((d) => d.table === table).map((d) => d.rows)).toEqual([10, 10, 5]);
    }
    expect(await sidsLeft(t)).toEqual([keep]);
    expect(await tokenIdsLeft(t)).toEqual([]);
    expect(await emailIdsLeft(t)).toEqual([]);
    expect(await keysLeft(t)).toEqual([]);
    expect(await idempotencyIdsLeft(t)).toEqual([]);
  });

  it(`deletes more than ${HOUSEKEEPING_BATCH_SIZE} expired sessions with the default batch`, async () => {
    const past = at(t.clock.now(), -HOUR);
    const n = HOUSEKEEPING_BATCH_SIZE * 2 + 7;
    for (let i = 0; i < n; i += 500) {
      const rows = Array.from({ length: Math.min(500, n - i) }, () => ({
        sid: randomBytes(16).toString('base64url'),
        data: '{}',
        userId: null,
        expiresAt: past,
        absoluteExpiresAt: past,
      }));
      await t.em().insertMany(SessionRecord, rows);
    }
    const keep = await insertSession(t.em(), at(t.clock.now(), HOUR), at(t.clock.now(), HOUR));
    expect(await run()).toMatchObject({ sessions: n });
    expect(await sidsLeft(t)).toEqual([keep]);
  });

  it('deletes each row once when several instances run it at once', async () => {
    const past = at(t.clock.now(), -HOUR);
    await insertSession(t.em(), past, past);
    await insertCounters(t.em(), past, 5);
    const apiKey = await insertApiKey(t.em(), partner, past);
    for (let i = 0; i < 5; i++) await insertIdempotencyKey(t.em(), apiKey, past);
    const runs = await Promise.all([run({ batchSize: 2 }), run({ batchSize: 2 })]);
    // Whatever the two left (one may stop early when the other took its rows), the next run finds.
    runs.push(await run());
    expect(runs.reduce((n, r) => n + r.sessions, 0)).toBe(1);
    expect(runs.reduce((n, r) => n + r.rateLimits, 0)).toBe(5);
    expect(runs.reduce((n, r) => n + r.idempotencyKeys, 0)).toBe(5);
    expect(await run()).toEqual({ sessions: 0, tokens: 0, emails: 0, rateLimits: 0, idempotencyKeys: 0 });
    expect(await sidsLeft(t)).toEqual([]);
    expect(await keysLeft(t)).toEqual([]);
  });

  it('the job prunes as of the clock, and is not scheduled while jobs are off', async () => {
    const sid = await insertSession(t.em(), at(t.clock.now(), 10 * MINUTE), at(t.clock.now(), HOUR));
    await t.app.get(HousekeepingJob).tick();
    expect(await sidsLeft(t)).toEqual([sid]);
    t.clock.advance(10 * MINUTE);
    await t.app.get(HousekeepingJob).tick();
    expect(await sidsLeft(t)).toEqual([]);
    expect(t.app.get(SchedulerRegistry).doesExist('cron', 'housekeeping')).toBe(false);
  });
});

describe('housekeeping schedule', () => {
  it('is registered on HOUSEKEEPING_CRON when jobs are on', async () => {
    // Other jobs start too: daily at a fixed hour, so that none runs during the test.
    const t = await createTestApp({
      env: { JOBS_ENABLED: 'true', HOUSEKEEPING_CRON: '0 17 3 * * *', MAIL_CRON: '0 0 4 * * *', REVOCATION_CRON: '0 0 4 * * *' },
    });
    try {
      const job = t.app.get(SchedulerRegistry).getCronJob('housekeeping');
      expect(job.cronTime.source).toBe('0 17 3 * * *');
    } finally {
      await t.close();
    }
  });
});

describe('jobs:run housekeeping', () => {
  let db: TestDatabase;
  let t: TestApp;
  const env = () => ({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...db.env });

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp({ database: db });
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });
  afterEach(() => vi.restoreAllMocks());

  it('prunes with the real clock and prints what it pruned', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    // The command runs on the wall clock, so the rows are arranged around it.
    const now = new Date();
    const gone = await insertSession(t.em(), at(now, -MINUTE), at(now, HOUR));
    const kept = await insertSession(t.em(), at(now, HOUR), at(now, 2 * HOUR));
    await insertCounters(t.em(), at(now, -MINUTE), 2);
    const [running] = await insertCounters(t.em(), at(now, HOUR));

    expect(await runCli(['jobs:run', 'housekeeping'], env())).toBe(0);
    expect(console.log).toHaveBeenLastCalledWith(
      'Housekeeping: pruned 1 expired sessions, 0 used or expired tokens, 0 sent or dead emails, 2 rate-limit counters, 0 expired API idempotency keys.',
    );
    expect(await sidsLeft(t)).toEqual([kept]);
    expect(await sidsLeft(t)).not.toContain(gone);
    expect(await keysLeft(t)).toEqual([running]);
  });

  it('refuses an unknown job with exit code 2', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await runCli(['jobs:run', 'tidy-up'], env())).toBe(2);
  });
});
