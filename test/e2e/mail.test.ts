import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailWorker } from '../../src/mail/mail-worker.service';
import { OutboxEmail } from '../../src/mail/entities/outbox-email.entity';
import { OutboxService } from '../../src/mail/outbox.service';
import { UserToken } from '../../src/auth/entities/user-token.entity';
import { createTestApp, createTestAppWithSmtp, type TestApp } from '../support/app';
import { createTestDatabase, onPostgres } from '../support/database';
import { postForm, signIn } from '../support/http';
import { linkIn, startSmtp, type TestSmtp } from '../support/smtp';
import { createMember, createPartner } from '../factories';

/** Queues a plain email the way a feature does: in a transaction of its own, with what it shows. */
async function queue(t: TestApp, to: string, partner: { id: string; name: string } | null = null) {
  const em = t.em();
  await em.transactional(async (tx) => {
    t.app.get(OutboxService).enqueue(tx, {
      to,
      template: 'password_changed',
      subject: 'Your Partner Hub password was changed',
      partnerId: partner?.id ?? null,
      payload: { name: 'Zoë', email: to, partnerName: partner?.name },
    });
  });
}

describe('the outbox worker over SMTP', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  const send = () => t.settled().then(() => t.app.get(MailWorker).sendDue(t.clock.now()));

  beforeAll(async () => {
    ({ t, smtp } = await createTestAppWithSmtp({ env: { MAIL_MAX_ATTEMPTS: '3', APP_BASE_URL: 'https://hub.example.test' } }));
  });
  afterAll(() => t.close());

  it('delivers a queued email once, with HTML and text parts that name the partner, and marks it sent', async () => {
    const partner = await createPartner(t.em(), { name: 'Initech <Partners>' });
    await queue(t, 'zoe@example.com', partner);
    expect(await send()).toEqual({ sent: 1, failed: 0, dead: 0 });
    expect(await send()).toEqual({ sent: 0, failed: 0, dead: 0 });
    const mails = smtp.to('zoe@example.com');
    expect(mails).toHaveLength(1);
    expect(mails[0].text).toContain('Initech <Partners>');
    expect(mails[0].html).toContain('Initech &lt;Partners&gt;');
    expect(mails[0].parsed.from?.text).toContain('no-reply@partner-hub.localhost');
    const row = await t.em().findOneOrFail(OutboxEmail, { toAddress: 'zoe@example.com' });
    expect(row).toMatchObject({ status: 'sent', attempts: 1, sentAt: t.clock.now(), lockedUntil: null });
  });

  it('retries with growing delays and gives up after MAIL_MAX_ATTEMPTS, listed by status()', async () => {
    await queue(t, 'flaky@example.com');
    smtp.failNext(3);
    expect(await send()).toMatchObject({ failed: 1 });
    let row = await t.em().findOneOrFail(OutboxEmail, { toAddress: 'flaky@example.com' });
    expect(row.attempts).toBe(1);
    expect(row.nextAttemptAt.getTime() - t.clock.now().getTime()).toBe(30_000);
    expect(row.lastError).toContain('451');
    // Not due yet: nothing happens.
    expect(await send()).toEqual({ sent: 0, failed: 0, dead: 0 });
    t.clock.advance(30_000);
    expect(await send()).toMatchObject({ failed: 1 });
    row = await t.em().findOneOrFail(OutboxEmail, row.id);
    expect(row.nextAttemptAt.getTime() - t.clock.now().getTime()).toBe(60_000);
    t.clock.advance(60_000);
    expect(await send()).toMatchObject({ dead: 1 });
    row = await t.em().findOneOrFail(OutboxEmail, row.id);
    expect(row).toMatchObject({ status: 'dead', attempts: 3 });
    const status = await t.app.get(MailWorker).status();
    expect(status.counts.dead).toBe(1);
    expect(status.dead.map((d) => d.toAddress)).toEqual(['flaky@example.com']);
    expect(smtp.to('flaky@example.com')).toHaveLength(0);
  });

  it('builds links from APP_BASE_URL, never from the Host header, and stores only the token hash', async () => {
    const partner = await createPartner(t.em(), { name: 'Hooli' });
    const owner = await createMember(t.em(), partner);
    const agent = t.agent();
    await signIn(agent, owner.email, owner.password);
    const res = await postForm(
      agent.set('Host', 'evil.example'),
      '/users',
      { name: 'Gavin', email: 'gavin@hooli.example', role: 'member' },
      '/users/new',
    );
    expect(res.status).toBe(303);
    await send();
    const link = linkIn(smtp.last('gavin@hooli.example'));
    expect(link.startsWith('https://hub.example.test/invitations/')).toBe(true);
    const raw = link.split('/').pop()!;
    const { createHash } = await import('node:crypto');
    const token = await t.em().findOneOrFail(UserToken, { tokenHash: createHash('sha256').update(raw).digest('hex') });
    expect(token.kind).toBe('invitation');
    expect(t.logs.join('\n')).not.toContain(raw);
  });

  it('does not send a link that was replaced before the worker got to it', async () => {
    const partner = await createPartner(t.em(), { name: 'Pied Piper' });
    const owner = await createMember(t.em(), partner);
    const agent = t.agent();
    await signIn(agent, owner.email, owner.password);
    await postForm(agent, '/users', { name: 'Jared', email: 'jared@pp.example', role: 'member' }, '/users/new');
    const m = await t.em().findOneOrFail('Membership', { user: { email: 'jared@pp.example' } });
    await postForm(agent, `/users/${(m as { id: string }).id}/resend`, {}, '/users');
    expect(await send()).toMatchObject({ sent: 1, dead: 1 });
    expect(smtp.to('jared@pp.example')).toHaveLength(1);
  });

  it('gives up an email whose token is gone instead of sending it without its link', async () => {
    const partner = await createPartner(t.em(), { name: 'Aviato' });
    const owner = await createMember(t.em(), partner);
    const agent = t.agent();
    await signIn(agent, owner.email, owner.password);
    await postForm(agent, '/users', { name: 'Erlich', email: 'erlich@aviato.example', role: 'member' }, '/users/new');
    const row = await t.em().findOneOrFail(OutboxEmail, { toAddress: 'erlich@aviato.example' });
    // The outbox keeps the token's id as a plain value: deleting the token leaves it in place.
    await t.em().nativeDelete(UserToken, { id: row.tokenId! });
    expect(await send()).toMatchObject({ sent: 0, dead: 1 });
    expect(await t.em().findOneOrFail(OutboxEmail, row.id)).toMatchObject({ status: 'dead', tokenId: row.tokenId });
    expect(smtp.to('erlich@aviato.example')).toHaveLength(0);
  });
});

describe('the outbox worker without SMTP', () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hub-mail-'));
    t = await createTestApp({ env: { MAIL_DIR: dir } });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes each email to MAIL_DIR as an .eml file and logs the file, never its link', async () => {
    const partner = await createPartner(t.em(), { name: 'Vandelay' });
    const owner = await createMember(t.em(), partner);
    const agent = t.agent();
    await signIn(agent, owner.email, owner.password);
    await postForm(agent, '/users', { name: 'Art', email: 'art@vandelay.example', role: 'member' }, '/users/new');
    expect(await t.app.get(MailWorker).sendDue(t.clock.now())).toMatchObject({ sent: 1 });
    const files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(1);
    const eml = readFileSync(join(dir, files[0]), 'utf8');
    expect(eml).toContain('To: art@vandelay.example');
    expect(eml).toContain('text/plain');
    expect(eml).toContain('text/html');
    const token = /\/invitations\/([A-Za-z0-9_-]{43})/.exec(eml.replace(/=\r?\n/g, ''))?.[1];
    expect(token).toBeDefined();
    const logged = t.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.event === 'mail.written');
    expect(logged).toMatchObject({ file: join(dir, files[0]) });
    expect(logged).not.toHaveProperty('link');
    expect(t.logs.filter((line) => line.includes(token!))).toEqual([]);
  });
});

describe('the scheduled trigger', () => {
  it('sends queued mail on its own every MAIL_CRON tick when jobs are enabled', async () => {
    const { t, smtp } = await createTestAppWithSmtp({ env: { JOBS_ENABLED: 'true', MAIL_CRON: '* * * * * *' } });
    try {
      await queue(t, 'cron@example.com');
      await smtp.waitFor('cron@example.com', 1, 30_000);
      // The worker marks the email sent once the server has taken it: after the server has it.
      await expect.poll(() => t.em().count(OutboxEmail, { toAddress: 'cron@example.com', status: 'sent' }), { timeout: 30_000 }).toBe(1);
    } finally {
      await t.close();
    }
  });
});

describe('several instances', () => {
  it.skipIf(!onPostgres())('deliver each outbox row exactly once when two workers run at the same moment (PostgreSQL)', async () => {
    const smtp = await startSmtp();
    const database = await createTestDatabase();
    const a = await createTestApp({ database, env: { SMTP_URL: smtp.url } });
    const b = await createTestApp({ database, env: { SMTP_URL: smtp.url }, migrate: false, clock: a.clock });
    try {
      for (let i = 0; i < 40; i++) await queue(a, `twin${i}@example.com`);
      const now = a.clock.now();
      const [ra, rb] = await Promise.all([a.app.get(MailWorker).sendDue(now), b.app.get(MailWorker).sendDue(now)]);
      expect(ra.sent + rb.sent).toBe(40);
      expect(smtp.messages).toHaveLength(40);
      expect(new Set(smtp.messages.map((m) => m.to[0])).size).toBe(40);
      expect(await a.em().count(OutboxEmail, { status: 'sent' })).toBe(40);
    } finally {
      await b.close();
      await a.close();
      await database.drop();
      await smtp.close();
    }
  });
});
