import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuditEvent } from '../../src/audit/entities/audit-event.entity';
import { UserToken } from '../../src/auth/entities/user-token.entity';
import { runCli } from '../../src/cli/program';
import { MailWorker } from '../../src/mail/mail-worker.service';
import { OutboxEmail } from '../../src/mail/entities/outbox-email.entity';
import { Partner } from '../../src/partners/entities/partner.entity';
import { Membership } from '../../src/auth/entities/membership.entity';
import { User } from '../../src/auth/entities/user.entity';
import { UsersService } from '../../src/users/users.service';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createTestAppWithSmtp, type TestApp } from '../support/app';
import { DAY, TestClock } from '../support/clock';
import { onPostgres } from '../support/database';
import { csrfFrom, postForm, signIn } from '../support/http';
import { linkIn, linkPathIn, type TestSmtp } from '../support/smtp';

const STRONG = 'violet tundra kettle 48 orbit';

/** Runs an operator command against the test app's database; returns its exit code and output. */
async function cli(t: TestApp, smtp: TestSmtp, ...argv: string[]) {
  const out: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const err = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  try {
    const env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      SMTP_URL: smtp.url,
      APP_BASE_URL: t.config.baseUrl,
      ...(t.config.database.url ? { DATABASE_URL: t.config.database.url } : { SQLITE_PATH: t.config.database.sqlitePath }),
    };
    const code = await runCli(argv, env);
    return { code, out: out.join('\n') };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

/** Opens an emailed link with a fresh agent: returns the agent, now holding the token in its session. */
async function openLink(t: TestApp, path: string) {
  const agent = t.agent();
  const res = await agent.get(path);
  return { agent, res };
}

describe('onboarding: partner:create, the invitation email and Create Password', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  const send = () => t.settled().then(() => t.app.get(MailWorker).sendDue(t.clock.now()));

  beforeAll(async () => {
    // The command runs on the real clock: the app's clock starts at the same moment.
    ({ t, smtp } = await createTestAppWithSmtp({ env: { APP_BASE_URL: 'https://hub.example.test' }, clock: new TestClock(new Date()) }));
  });
  afterAll(() => t.close());

  it('creates the partner and its owner invitation in one go, and the owner creates a password from the email', async () => {
    const { code, out } = await cli(
      t,
      smtp,
      'partner:create',
      '--name',
      'Müller & Söhne Partners',
      '--owner-email',
      'Ada@Owner.example',
      '--owner-name',
      'Ada Owner',
      '--notice-days',
      '45',
      '--alignment',
      'end_of_month',
      '--time-zone',
      // Stored in the runtime's spelling, as partner:terms stores it.
      'europe/berlin',
    );
    expect(code, out).toBe(0);
    const partner = await t.em().findOneOrFail(Partner, { name: 'Müller & Söhne Partners' });
    expect(partner.terms).toMatchObject({
      noticeDays: 45,
      alignment: 'end_of_month',
      billingTimeZone: 'Europe/Berlin',
      removalGraceDays: 14,
    });
    const membership = await t.em().findOneOrFail(Membership, { partner }, { populate: ['user'] });
    expect(membership).toMatchObject({ role: 'owner', acceptedAt: null });
    expect(membership.user.email).toBe('ada@owner.example');
    expect(await t.em().count(AuditEvent, { partnerId: partner.id, action: 'team.invited' })).toBe(1);

    t.clock.set(new Date());
    expect(await send()).toMatchObject({ sent: 1 });
    const mail = await smtp.waitFor('ada@owner.example');
    expect(mail.subject).toContain('Müller & Söhne Partners');
    expect(mail.text).toContain('Müller & Söhne Partners');
    expect(mail.text).toContain('Create Password');
    expect(mail.html).toContain('Müller &amp; Söhne Partners');
    const link = linkIn(mail);
    expect(link).toMatch(/^https:\/\/hub\.example\.test\/invitations\/[A-Za-z0-9_-]{43}$/);

    // Only the hash is stored: the raw token is nowhere in the database.
    const raw = link.split('/').pop()!;
    const token = await t.em().findOneOrFail(UserToken, { user: membership.user, kind: 'invitation' }, { fields: ['tokenHash'] } as never);
    expect(token.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(token.tokenHash).not.toContain(raw);
    const outbox = await t.em().findOneOrFail(OutboxEmail, { toAddress: 'ada@owner.example' });
    expect(JSON.stringify(outbox.payload)).not.toContain(raw);
    expect(outbox.status).toBe('sent');

    // The token leaves the URL at once, into the session.
    const { agent, res } = await openLink(t, linkPathIn(mail));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/invitations');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    const page = await agent.get('/invitations');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Müller &amp; Söhne Partners');
    expect(page.text).toContain('ada@owner.example');
    expect(page.text).not.toContain(raw);

    const done = await agent
      .post('/invitations')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'Ada Owner', password: STRONG, confirm: STRONG });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/login');
    // No automatic sign-in: the person signs in with the new password.
    expect((await agent.get('/users')).headers.location).toBe('/login?next=%2Fusers');
    expect(await t.em().findOneOrFail(Membership, membership.id)).toMatchObject({ acceptedAt: expect.any(Date) });
    expect(await t.em().count(AuditEvent, { partnerId: partner.id, action: 'team.joined' })).toBe(1);
    await signIn(agent, 'ada@owner.example', STRONG);
    const users = await agent.get('/users');
    expect(users.status).toBe(200);
    expect(users.text).toContain('Ada Owner');

    // The link works once.
    const again = await openLink(t, linkPathIn(mail));
    const used = await again.agent.get(again.res.headers.location);
    expect(used.status).toBe(410);
    expect(used.text).toContain('This link is not valid any more');
  });

  it('partner:invite adds another invitation by slug; mail:send delivers it; mail:status counts', async () => {
    const partner = await t.em().findOneOrFail(Partner, { name: 'Müller & Söhne Partners' });
    const { code, out } = await cli(
      t,
      smtp,
      'partner:invite',
      '--partner',
      partner.slug,
      '--email',
      'bo@member.example',
      '--name',
      'Bo Member',
    );
    expect(code, out).toBe(0);
    const m = await t.em().findOneOrFail(Membership, { partner, user: { email: 'bo@member.example' } });
    expect(m.role).toBe('member');
    const sent = await cli(t, smtp, 'mail:send');
    expect(sent.code, sent.out).toBe(0);
    expect(sent.out).toContain('Sent 1');
    expect(linkIn(await smtp.waitFor('bo@member.example'))).toContain('/invitations/');
    const status = await cli(t, smtp, 'mail:status');
    expect(status.out).toMatch(/pending 0\s+sent 2\s+dead 0/);
  });

  it.each([
    ['a header-injecting email', ['--name', 'X Partners', '--owner-email', 'a@b.example\r\nBcc: x@y.example', '--owner-name', 'X']],
    ['a malformed email', ['--name', 'X Partners', '--owner-email', 'not-an-email', '--owner-name', 'X']],
    ['a 10,000-character name', ['--name', 'n'.repeat(10_000), '--owner-email', 'x@y.example', '--owner-name', 'X']],
    ['a right-to-left override', ['--name', 'Evil\u202Egnp.exe', '--owner-email', 'x@y.example', '--owner-name', 'X']],
    ['a bad alignment', ['--name', 'X Partners', '--owner-email', 'x@y.example', '--owner-name', 'X', '--alignment', 'weekly']],
    ['a bad time zone', ['--name', 'X Partners', '--owner-email', 'x@y.example', '--owner-name', 'X', '--time-zone', 'Mars/Base']],
    ['negative notice days', ['--name', 'X Partners', '--owner-email', 'x@y.example', '--owner-name', 'X', '--notice-days', '-3']],
    ['a missing owner', ['--name', 'X Partners']],
  ])('partner:create refuses %s with exit code 2 and writes nothing', async (_case, args) => {
    const before = {
      partners: await t.em().count(Partner, {}),
      users: await t.em().count(User, {}),
      mail: await t.em().count(OutboxEmail, {}),
    };
    const { code, out } = await cli(t, smtp, 'partner:create', ...args);
    expect(code).toBe(2);
    if (!_case.includes('missing')) expect(out).toMatch(/^error: --/);
    expect({
      partners: await t.em().count(Partner, {}),
      users: await t.em().count(User, {}),
      mail: await t.em().count(OutboxEmail, {}),
    }).toEqual(before);
  });

  it('partner:invite refuses an unknown partner and an email already on the team with exit code 2', async () => {
    const partner = await t.em().findOneOrFail(Partner, { name: 'Müller & Söhne Partners' });
    const before = await t.em().count(OutboxEmail, {});
    expect((await cli(t, smtp, 'partner:invite', '--partner', 'nope', '--email', 'c@c.example', '--name', 'C')).code).toBe(2);
    const dup = await cli(t, smtp, 'partner:invite', '--partner', partner.id, '--email', 'BO@member.example', '--name', 'Bo');
    expect(dup.code).toBe(2);
    expect(dup.out).toContain('already on the team');
    expect(
      (await cli(t, smtp, 'partner:invite', '--partner', partner.id, '--email', 'c@c.example', '--name', 'C', '--role', 'admin')).code,
    ).toBe(2);
    expect(await t.em().count(OutboxEmail, {})).toBe(before);
  });
});

describe('Create Password: the link and the password rules', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  let partnerId: string;
  let owner: MemberFixture;
  const send = () => t.settled().then(() => t.app.get(MailWorker).sendDue(t.clock.now()));

  beforeAll(async () => {
    ({ t, smtp } = await createTestAppWithSmtp());
    const partner = await createPartner(t.em(), { name: 'Globex' });
    partnerId = partner.id;
    owner = await createMember(t.em(), partner, { role: 'owner' });
  });
  afterAll(() => t.close());

  async function invite(email: string) {
    await t.app.get(UsersService).invite(partnerId, { email, name: 'Invitee', role: 'member' }, null);
    await send();
    return smtp.last(email);
  }

  it('refuses short, over-72-byte, mismatched, common and self-referencing passwords with 422 and field errors', async () => {
    const mail = await invite('carla.jones@globex.example');
    const { agent } = await openLink(t, linkPathIn(mail));
    const cases: [string, string, string][] = [
      ['short-pass1', 'short-pass1', 'at least 12 characters'],
      ['é'.repeat(37), 'é'.repeat(37), 'at most 72 bytes'],
      [STRONG, `${STRONG}!`, 'not the same'],
      ['password1234', 'password1234', 'too common'],
      ['qwertyuiop123', 'qwertyuiop123', 'too common'],
      ['Globex rocks 2026!!', 'Globex rocks 2026!!', 'partner’s name'],
      ['carlajones-is-me-77', 'carlajones-is-me-77', 'email'],
    ];
    for (const [password, confirm, message] of cases) {
      const page = await agent.get('/invitations');
      const res = await agent
        .post('/invitations')
        .type('form')
        .send({ _csrf: csrfFrom(page.text), name: 'Carla Jones', password, confirm });
      expect(res.status, password).toBe(422);
      expect(res.text).toContain(message);
      expect(res.text).not.toContain(password.slice(0, 12));
    }
    const user = await t.em().findOneOrFail(User, { email: 'carla.jones@globex.example' }, { populate: ['passwordHash'] });
    expect(user.passwordHash).toBeNull();
  });

  it('opens a link a mail client or a copy added punctuation to, and says a link cut short is not valid', async () => {
    const mail = await invite('gus@globex.example');
    const path = linkPathIn(mail);
    for (const added of ['.', ')', '>', '.,']) {
      const { agent, res } = await openLink(t, `${path}${encodeURIComponent(added)}`);
      expect(res.status, added).toBe(303);
      const page = await agent.get('/invitations');
      expect(page.status, added).toBe(200);
      expect(page.text, added).toContain('gus@globex.example');
    }
    const cut = await openLink(t, path.slice(0, -5));
    expect(cut.res.status).toBe(303);
    const refused = await cut.agent.get('/invitations');
    expect(refused.status).toBe(410);
    expect(refused.text).toContain('This link is not valid any more');
  });

  it('shows the same page for unknown, used, replaced and expired links, with a way to ask for a new one', async () => {
    const unknown = await openLink(t, `/invitations/${'x'.repeat(43)}`);
    const unknownPage = await unknown.agent.get('/invitations');
    expect(unknownPage.status).toBe(410);

    const first = await invite('dora@globex.example');
    const ownerAgent = t.agent();
    await signIn(ownerAgent, owner.email, owner.password);
    const dora = await t.em().findOneOrFail(Membership, { user: { email: 'dora@globex.example' } });
    expect((await postForm(ownerAgent, `/users/${dora.id}/resend`, {}, '/users')).status).toBe(303);
    await send();
    const second = smtp.last('dora@globex.example');
    expect(linkIn(second)).not.toBe(linkIn(first));
    const replaced = await openLink(t, linkPathIn(first));
    const replacedPage = await replaced.agent.get('/invitations');
    expect(replacedPage.status).toBe(410);

    const current = await openLink(t, linkPathIn(second));
    t.clock.advance(7 * DAY + 1000);
    const expiredPage = await current.agent.get('/invitations');
    t.clock.advance(-(7 * DAY + 1000));
    expect(expiredPage.status).toBe(410);

    const body = (html: string) => html.replace(/value="[^"]+"/g, '');
    expect(body(replacedPage.text)).toBe(body(unknownPage.text));
    expect(body(expiredPage.text)).toBe(body(unknownPage.text));
    for (const page of [unknownPage, replacedPage, expiredPage]) {
      expect(page.text).toContain('This link is not valid any more');
      expect(page.text).toContain('action="/password/forgot"');
    }
    // Back in time, the newest link still works.
    const fresh = await openLink(t, linkPathIn(second));
    expect((await fresh.agent.get('/invitations')).status).toBe(200);
  });

  it('sends a fresh invitation when an invited person asks for a new link', async () => {
    await invite('erin@globex.example');
    const agent = t.agent();
    const page = await agent.get('/password/forgot');
    const res = await agent
      .post('/password/forgot')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), email: 'erin@globex.example' });
    expect(res.status).toBe(303);
    await send();
    const mails = smtp.to('erin@globex.example');
    expect(mails).toHaveLength(2);
    expect(linkIn(mails[1])).toContain('/invitations/');
  });

  it('greets an invited person asking for a new link by the name each team typed', async () => {
    const other = await createPartner(t.em(), { name: 'Initech' });
    await t.app.get(UsersService).invite(other.id, { email: 'fran@globex.example', name: 'Fran (CEO)', role: 'member' }, null);
    await t.app.get(UsersService).invite(partnerId, { email: 'fran@globex.example', name: 'Fran Fischer', role: 'member' }, null);
    await send();
    const agent = t.agent();
    const page = await agent.get('/password/forgot');
    await agent
      .post('/password/forgot')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), email: 'fran@globex.example' })
      .expect(303);
    await send();
    const fresh = smtp.to('fran@globex.example').slice(2);
    const greeting = (partner: string) => fresh.find((m) => m.subject.includes(partner))?.text.split('\n')[0];
    expect(greeting('Initech')).toBe('Hello Fran (CEO),');
    expect(greeting('Globex')).toBe('Hello Fran Fischer,');
  });

  it.skipIf(!onPostgres())('lets exactly one of two simultaneous submissions of the same link win (PostgreSQL)', async () => {
    const mail = await invite('race@globex.example');
    const a = await openLink(t, linkPathIn(mail));
    const b = await openLink(t, linkPathIn(mail));
    const [pa, pb] = await Promise.all([a.agent.get('/invitations'), b.agent.get('/invitations')]);
    const results = await Promise.all([
      a.agent
        .post('/invitations')
        .type('form')
        .send({ _csrf: csrfFrom(pa.text), name: 'Racer One', password: STRONG, confirm: STRONG }),
      b.agent
        .post('/invitations')
        .type('form')
        .send({ _csrf: csrfFrom(pb.text), name: 'Racer Two', password: `${STRONG} two`, confirm: `${STRONG} two` }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 410]);
    const racer = await t.em().findOneOrFail(User, { email: 'race@globex.example' });
    expect(await t.em().count(AuditEvent, { action: 'team.joined', actorId: racer.id })).toBe(1);
  });
});
