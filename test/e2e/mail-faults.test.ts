import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/program';
import { OutboxEmail } from '../../src/mail/entities/outbox-email.entity';
import { claimLeaseMs, MailWorker, worstSendMs } from '../../src/mail/mail-worker.service';
import { MAIL_TRANSPORT, type MailTransport } from '../../src/mail/mail-transport';
import { OutboxService } from '../../src/mail/outbox.service';
import { UsersService } from '../../src/users/users.service';
import { createPartner } from '../factories';
import { createTestApp, type TestApp } from '../support/app';
import { HOUR, MINUTE, TestClock } from '../support/clock';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { linkIn, linkPathIn, startSmtp, type TestSmtp } from '../support/smtp';

/** Queues a plain email the way a feature does: in a transaction of its own. */
async function queue(t: TestApp, to: string) {
  await t.em().transactional(async (tx) => {
    t.app.get(OutboxService).enqueue(tx, {
      to,
      template: 'password_changed',
      subject: 'Your Partner Hub password was changed',
      payload: { name: 'Zoë', email: to },
    });
  });
}

const row = (t: TestApp, to: string) => t.em().findOneOrFail(OutboxEmail, { toAddress: to });

/** Polls until `predicate` holds (a generous limit, never a timing assertion). */
async function until(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('email delivery under SMTP faults', () => {
  let db: TestDatabase;
  let t: TestApp;
  let smtp: TestSmtp;
  const worker = () => t.app.get(MailWorker);
  const send = () => worker().sendDue(t.clock.now());

  beforeAll(async () => {
    smtp = await startSmtp();
    db = await createTestDatabase();
    t = await createTestApp({
      database: db,
      env: {
        SMTP_URL: smtp.url,
        APP_BASE_URL: 'https://hub.example.test',
        MAIL_MAX_ATTEMPTS: '2',
        // Short enough for a test, long enough that a loaded machine still answers in time.
        SMTP_SOCKET_TIMEOUT_SECONDS: '5',
        SMTP_CONNECT_TIMEOUT_SECONDS: '5',
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
    await db.drop();
  });

  it('keeps every claim clearly longer than the longest send the SMTP timeouts allow', () => {
    // Defaults: 10 s to the greeting, 30 s per reply: 250 s at most, a 15-minute lease.
    const defaults = { ...t.config, mail: { ...t.config.mail, connectTimeoutMs: 10_000, socketTimeoutMs: 30_000 } };
    expect(worstSendMs(defaults)).toBe(250_000);
    expect(claimLeaseMs(defaults)).toBe(15 * MINUTE);
    // The largest timeouts the configuration accepts still fit in their lease, twice over.
    const largest = { ...t.config, mail: { ...t.config.mail, connectTimeoutMs: 120_000, socketTimeoutMs: 300_000 } };
    expect(claimLeaseMs(largest)).toBeGreaterThan(2 * worstSendMs(largest));
  });

  it("sends one recipient's emails in the order they were queued: a temporary failure holds the later ones until the next run", async () => {
    await queue(t, 'order@example.com');
    const first = await row(t, 'order@example.com');
    t.clock.advance(1000);
    await queue(t, 'order@example.com');
    await queue(t, 'other@example.com');
    smtp.failNext(1, 'order@example.com');
    expect(await send()).toMatchObject({ sent: 1, failed: 1 });
    // The second email to the same address waits for the first one's retry.
    expect(smtp.to('order@example.com')).toHaveLength(0);
    expect(smtp.to('other@example.com')).toHaveLength(1);
    t.clock.advance(HOUR);
    expect(await send()).toMatchObject({ sent: 2 });
    const got = smtp.to('order@example.com');
    expect(got).toHaveLength(2);
    expect(got[0].messageId).toContain(first.id);
  });

  it('gives up a stalled reply at the socket timeout, long before the lease, while the rest of the batch is delivered, then delivers it once', async () => {
    await queue(t, 'stall@example.com');
    t.clock.advance(1000);
    for (let i = 0; i < 6; i++) await queue(t, `batch${i}@example.com`);
    smtp.stallNext(1, 'stall@example.com');
    const run = send();
    // The others go out while the stalled message still waits for its reply.
    await until(() => smtp.messages.filter((m) => m.to[0].startsWith('batch')).length === 6, 'the rest of the batch delivered');
    const waiting = await row(t, 'stall@example.com');
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1 });
    expect(waiting.lockedUntil).not.toBeNull();
    expect(await run).toEqual({ sent: 6, failed: 1, dead: 0 });
    expect(smtp.stalled).toBe(1);
    const failed = await row(t, 'stall@example.com');
    expect(failed).toMatchObject({ status: 'pending', attempts: 1, lockedUntil: null });
    expect(failed.lastError).toMatch(/timeout/i);
    expect(failed.nextAttemptAt.getTime() - t.clock.now().getTime()).toBe(30_000);
    expect(smtp.to('stall@example.com')).toHaveLength(0);

    t.clock.advance(30_000);
    expect(await send()).toEqual({ sent: 1, failed: 0, dead: 0 });
    expect(smtp.to('stall@example.com')).toHaveLength(1);
    expect(await row(t, 'stall@example.com')).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('gives up a permanent (5xx) refusal at once, keeps the reason, and never retries it', async () => {
    await queue(t, 'gone@example.com');
    smtp.rejectNext(1, 'gone@example.com');
    expect(await send()).toEqual({ sent: 0, failed: 0, dead: 1 });
    const dead = await row(t, 'gone@example.com');
    expect(dead).toMatchObject({ status: 'dead', attempts: 1, lockedUntil: null });
    expect(dead.lastError).toContain('550');
    expect(dead.lastError).toContain('mailbox unavailable');
    t.clock.advance(2 * HOUR);
    expect(await send()).toEqual({ sent: 0, failed: 0, dead: 0 });
    expect(smtp.to('gone@example.com')).toHaveLength(0);
  });

  it('retries a temporary (4xx) refusal later and delivers it once', async () => {
    await queue(t, 'later@example.com');
    smtp.failNext(1, 'later@example.com');
    expect(await send()).toEqual({ sent: 0, failed: 1, dead: 0 });
    expect((await row(t, 'later@example.com')).lastError).toContain('451');
    t.clock.advance(30_000);
    expect(await send()).toEqual({ sent: 1, failed: 0, dead: 0 });
    expect(smtp.to('later@example.com')).toHaveLength(1);
    expect(await row(t, 'later@example.com')).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('gives every copy of an email the same Message-ID and the same link, and the first copy’s link still works', async () => {
    const partner = await createPartner(t.em(), { name: 'Twice Partners' });
    await t.app.get(UsersService).invite(partner.id, { email: 'twice@example.com', name: 'Tw Ice', role: 'member' }, null);
    // The server keeps the message but the connection drops before its answer: the worker
    // cannot know it was delivered and sends it again.
    smtp.dropNext(1, 'twice@example.com');
    expect(await send()).toEqual({ sent: 0, failed: 1, dead: 0 });
    t.clock.advance(30_000);
    expect(await send()).toEqual({ sent: 1, failed: 0, dead: 0 });
    const [first, second] = smtp.to('twice@example.com');
    expect(second).toBeDefined();
    const outbox = await row(t, 'twice@example.com');
    expect(first.messageId).toBe(`<${outbox.id}@hub.example.test>`);
    expect(second.messageId).toBe(first.messageId);
    expect(linkIn(second)).toBe(linkIn(first));
    expect(linkIn(first)).toMatch(/^https:\/\/hub\.example\.test\/invitations\/[A-Za-z0-9_-]{43}$/);

    const agent = t.agent();
    const open = await agent.get(linkPathIn(first));
    expect(open.status).toBe(303);
    const page = await agent.get(open.headers.location);
    expect(page.status).toBe(200);
    expect(page.text).toContain('twice@example.com');
  });

  it('counts an attempt for a send that never finished (the worker died) and gives the email up after MAIL_MAX_ATTEMPTS', async () => {
    await queue(t, 'killer@example.com');
    // A second instance whose sends never return: it claims the row and "dies" mid-send.
    const doomed = await createTestApp({
      database: db,
      migrate: false,
      clock: t.clock,
      env: { SMTP_URL: smtp.url, MAIL_MAX_ATTEMPTS: '2', SHUTDOWN_TIMEOUT_SECONDS: '1' },
    });
    try {
      vi.spyOn(doomed.app.get<MailTransport>(MAIL_TRANSPORT), 'send').mockReturnValue(new Promise<void>(() => {}));
      const lease = claimLeaseMs(t.config);
      for (let attempt = 1; attempt <= 2; attempt++) {
        void doomed.app.get(MailWorker).sendDue(t.clock.now());
        await until(async () => (await row(t, 'killer@example.com')).attempts === attempt, `attempt ${attempt} claimed`, 15_000);
        // Held by its claim: no other worker takes it while the lease runs.
        expect(await send()).toEqual({ sent: 0, failed: 0, dead: 0 });
        t.clock.advance(lease + 1000);
      }
      // Both attempts used: given up, not sent a third time.
      expect(await send()).toEqual({ sent: 0, failed: 0, dead: 1 });
      const dead = await row(t, 'killer@example.com');
      expect(dead).toMatchObject({ status: 'dead', attempts: 2, lockedUntil: null });
      expect(dead.lastError).toContain('did not finish');
      expect(smtp.to('killer@example.com')).toHaveLength(0);
    } finally {
      // Bounded by SHUTDOWN_TIMEOUT_SECONDS: the hung sends are abandoned.
      await doomed.close();
    }
  });
});

describe('mail:send', () => {
  it('drains every due email, more than one batch, while another instance sends too', async () => {
    const smtp = await startSmtp();
    const db = await createTestDatabase();
    // The command runs on the real clock (SQLite) or the database's (PostgreSQL): the
    // instance's clock agrees with them, as the hub requires of its clocks.
    const t = await createTestApp({ database: db, env: { SMTP_URL: smtp.url }, clock: new TestClock(new Date(Date.now() - 1000)) });
    try {
      for (let i = 0; i < 130; i++) await queue(t, `many${i}@example.com`);
      const out: string[] = [];
      const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
      let code: number;
      try {
        const env = { NODE_ENV: 'test', LOG_LEVEL: 'silent', SMTP_URL: smtp.url, ...db.env };
        // The instance's own runs take rows from under the command's batches.
        const other = t.app.get(MailWorker);
        [code] = await Promise.all([runCli(['mail:send'], env), other.sendDue(t.clock.now()), other.sendDue(t.clock.now())]);
      } finally {
        log.mockRestore();
      }
      expect(code, out.join('\n')).toBe(0);
      expect(await t.em().count(OutboxEmail, { status: 'pending' })).toBe(0);
      expect(await t.em().count(OutboxEmail, { status: 'sent' })).toBe(130);
      expect(smtp.messages).toHaveLength(130);
      expect(new Set(smtp.messages.map((m) => m.to[0])).size).toBe(130);
    } finally {
      await t.close();
      await smtp.close();
      await db.drop();
    }
  });

  it('exits 1 with one line when an email could not be sent, so that a scheduler running it learns', async () => {
    const smtp = await startSmtp();
    const db = await createTestDatabase();
    const t = await createTestApp({ database: db, env: { SMTP_URL: smtp.url }, clock: new TestClock(new Date(Date.now() - 1000)) });
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await queue(t, 'fine@example.com');
      await queue(t, 'later@example.com');
      smtp.failNext(1, 'later@example.com');
      const env = { NODE_ENV: 'test', LOG_LEVEL: 'silent', SMTP_URL: smtp.url, ...db.env };
      expect(await runCli(['mail:send'], env)).toBe(1);
      expect(log).toHaveBeenLastCalledWith('Sent 1, failed (will retry) 1, given up 0.');
      expect(error).toHaveBeenLastCalledWith('error: 1 of them could not be sent: see the log (mail.retry, mail.dead).');
      expect(smtp.to('fine@example.com')).toHaveLength(1);
    } finally {
      log.mockRestore();
      error.mockRestore();
      await t.close();
      await smtp.close();
      await db.drop();
    }
  });
});

describe('shutting down while an email is being sent', () => {
  let smtp: TestSmtp;
  let db: TestDatabase;
  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(() => smtp.close());

  async function closeWhileHeld(env: Record<string, string>, to: string) {
    db = await createTestDatabase();
    const t = await createTestApp({ database: db, env: { SMTP_URL: smtp.url, SMTP_SOCKET_TIMEOUT_SECONDS: '120', ...env } });
    await queue(t, to);
    smtp.hold();
    const run = t.app.get(MailWorker).sendDue(t.clock.now());
    await smtp.until(() => smtp.held === 1, 'the message waits for its reply');
    const closing = t.close();
    return { t, run, closing };
  }

  async function outboxAfterClose(to: string) {
    const reader = await createTestApp({ database: db, migrate: false });
    try {
      return await reader.em().findOneOrFail(OutboxEmail, { toAddress: to });
    } finally {
      await reader.close();
    }
  }

  it('lets the send in progress finish before the app closes, and marks the email sent', async () => {
    const { t, run, closing } = await closeWhileHeld({ SHUTDOWN_TIMEOUT_SECONDS: '60' }, 'closing@example.com');
    try {
      const stopping = () => t.logs.some((l) => l.includes('"mail.stopping"'));
      let closed = false;
      void closing.then(() => (closed = true));
      await until(() => stopping() || closed, 'the worker starts stopping');
      expect(closed).toBe(false);
      smtp.release();
      await closing;
      expect(await run).toEqual({ sent: 1, failed: 0, dead: 0 });
      expect(smtp.to('closing@example.com')).toHaveLength(1);
      expect(await outboxAfterClose('closing@example.com')).toMatchObject({ status: 'sent', attempts: 1, lockedUntil: null });
    } finally {
      smtp.release();
      await closing.catch(() => {});
      await db.drop();
    }
  });

  it('waits no longer than SHUTDOWN_TIMEOUT_SECONDS: the email keeps its claim and counted attempt, to be retried after the lease', async () => {
    const { t, closing } = await closeWhileHeld({ SHUTDOWN_TIMEOUT_SECONDS: '1' }, 'slowclose@example.com');
    try {
      await closing;
      expect(t.logs.some((l) => l.includes('"mail.stop_timeout"'))).toBe(true);
      const left = await outboxAfterClose('slowclose@example.com');
      expect(left).toMatchObject({ status: 'pending', attempts: 1 });
      expect(left.lockedUntil).not.toBeNull();
    } finally {
      smtp.release();
      await db.drop();
    }
  });
});
