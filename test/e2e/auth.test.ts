import hbs from 'hbs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { viewHelpers } from '../../src/common/view-helpers';
import { Sql } from '../../src/database/sql';
import { SessionRecord } from '../../src/auth/entities/session.entity';
import { AuditEvent } from '../../src/audit/entities/audit-event.entity';
import { User } from '../../src/auth/entities/user.entity';
import type { Partner } from '../../src/partners/entities/partner.entity';
import { createTestApp, createTestAppWithSmtp, type TestApp } from '../support/app';
import { createTestDatabase, onPostgres } from '../support/database';
import { MINUTE, HOUR } from '../support/clock';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { csrfFrom, csrfOf, postForm, signIn } from '../support/http';

describe('signing in and out', () => {
  let t: TestApp;
  let owner: MemberFixture;
  let partner: Partner;

  beforeAll(async () => {
    t = await createTestApp();
    partner = await createPartner(t.em(), { name: 'Globex Partners' });
    owner = await createMember(t.em(), partner, { role: 'owner' });
  });
  afterAll(() => t.close());

  it('signs in with the real form, gives a new session id, and lands on WhatsApp Accounts', async () => {
    const agent = t.agent();
    const page = await agent.get('/login');
    const before = /hub\.sid=([^;]+)/.exec(String(page.headers['set-cookie']))![1];
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), email: owner.email.toUpperCase(), password: owner.password });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts');
    const after = /hub\.sid=([^;]+)/.exec(String(res.headers['set-cookie']))![1];
    expect(after).not.toBe(before);
    const home = await agent.get('/accounts');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Globex Partners');
    const rows = await t.em().find(SessionRecord, {});
    const mine = rows.find((r) => r.userId === owner.user.id)!;
    expect(Object.keys(JSON.parse(mine.data)).sort()).toEqual(['cookie', 'csrfSecret', 'partnerId', 'passport']);
    const audit = await t.em().find(AuditEvent, { action: 'auth.signed_in', actorId: owner.user.id });
    expect(audit).toHaveLength(1);
    expect(t.logs.join('\n')).not.toContain(owner.password);
  });

  it('signs in a person whose name and address are as long as the hub takes, naming them whole in Activity', async () => {
    const name = `Maximilian ${'Longname'.repeat(24)}`.slice(0, 200);
    const email = `${'m'.repeat(64)}@${'longdomain.'.repeat(17)}org`.slice(0, 254);
    expect([name.length, email.length]).toEqual([200, 254]);
    const long = await createMember(t.em(), partner, { role: 'owner', name, email });
    const agent = t.agent();
    expect((await signIn(agent, email, long.password)).status).toBe(303);
    const [event] = await t.em().find(AuditEvent, { action: 'auth.signed_in', actorId: long.user.id });
    expect(event.actorLabel).toBe(`${name} <${email}>`);
  });

  it('sets an HttpOnly, SameSite=Lax session cookie and security headers', async () => {
    const res = await t.http().get('/login');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['content-security-policy']).toContain("base-uri 'none'");
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it.each([
    ['an unknown email', 'nobody@example.com', 'whatever password'],
    ['a wrong password', null, 'wrong password entirely'],
  ])('answers %s with the same 422 page', async (_case, email, password) => {
    const res = await postForm(t.agent(), '/login', { email: email ?? owner.email, password });
    expect(res.status).toBe(422);
    expect(res.text).toContain('The email or password is incorrect.');
  });

  it('treats an invitation not yet accepted and a removed membership like a wrong password', async () => {
    const partner = await createPartner(t.em());
    const invited = await createMember(t.em(), partner, { accepted: false });
    const invitedRes = await postForm(t.agent(), '/login', { email: invited.email, password: 'anything at all here' });
    expect(invitedRes.status).toBe(422);
    expect(invitedRes.text).toContain('The email or password is incorrect.');

    const removed = await createMember(t.em(), partner, { role: 'member' });
    await t.em().nativeDelete('Membership', { id: removed.membership.id });
    const removedRes = await postForm(t.agent(), '/login', { email: removed.email, password: removed.password });
    expect(removedRes.status).toBe(422);
    expect(removedRes.text).toContain('The email or password is incorrect.');
  });

  it('refuses a password over 72 bytes instead of truncating it', async () => {
    const partner = await createPartner(t.em());
    const long = 'é'.repeat(36); // 72 bytes exactly
    const member = await createMember(t.em(), partner, { password: long });
    expect((await postForm(t.agent(), '/login', { email: member.email, password: long })).status).toBe(303);
    expect((await postForm(t.agent(), '/login', { email: member.email, password: `${long}x` })).status).toBe(422);
  });

  it('sends a signed-in person from the start and sign-in pages to WhatsApp Accounts, anyone else to sign in', async () => {
    const start = await t.http().get('/');
    expect([start.status, start.headers.location]).toEqual([303, '/login']);
    const agent = t.agent();
    await signIn(agent, owner.email, owner.password);
    for (const path of ['/', '/login']) {
      const res = await agent.get(path);
      expect([res.status, res.headers.location]).toEqual([303, '/accounts']);
    }
  });

  it('logs out with POST only, deleting the session; GET /logout changes nothing', async () => {
    const agent = t.agent();
    await signIn(agent, owner.email, owner.password);
    expect((await agent.get('/logout')).status).toBe(404);
    expect((await agent.get('/accounts')).status).toBe(200);
    const sessionsBefore = await t.em().count(SessionRecord, { userId: owner.user.id });
    const _csrf = await csrfOf(agent, '/accounts');
    const res = await agent.post('/logout').type('form').send({ _csrf });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?signed_out=1');
    expect((await agent.get(res.headers.location)).text).toContain('You are signed out.');
    expect((await agent.get('/login')).text).not.toContain('You are signed out.');
    // The browser forgets the session cookie and whatever the origin stored.
    expect(res.headers['clear-site-data']).toBe('"storage"');
    expect(String(res.headers['set-cookie'])).toMatch(/hub\.sid=;.*Expires=Thu, 01 Jan 1970/);
    expect(await t.em().count(SessionRecord, { userId: owner.user.id })).toBe(sessionsBefore - 1);
    const after = await agent.get('/accounts');
    expect(after.status).toBe(303);
    expect(after.headers.location).toBe('/login');
  });

  it('signs a person out at the next request once the membership is removed or the user disabled', async () => {
    const partner = await createPartner(t.em());
    const a = await createMember(t.em(), partner, { role: 'member' });
    const b = await createMember(t.em(), partner, { role: 'member' });
    const agentA = t.agent();
    const agentB = t.agent();
    await signIn(agentA, a.email, a.password);
    await signIn(agentB, b.email, b.password);
    await t.em().nativeDelete('Membership', { id: a.membership.id });
    await t.em().nativeUpdate(User, { id: b.user.id }, { disabledAt: new Date() });
    expect((await agentA.get('/accounts')).headers.location).toBe('/login');
    expect((await agentB.get('/accounts')).headers.location).toBe('/login');
  });

  it('expires a session after 30 idle minutes and after 12 hours in all', async () => {
    const agent = t.agent();
    await signIn(agent, owner.email, owner.password);
    t.clock.advance(29 * MINUTE);
    expect((await agent.get('/accounts')).status).toBe(200);
    t.clock.advance(29 * MINUTE);
    expect((await agent.get('/accounts')).status).toBe(200);
    t.clock.advance(31 * MINUTE);
    expect((await agent.get('/accounts')).headers.location).toBe('/login');

    const busy = t.agent();
    await signIn(busy, owner.email, owner.password);
    for (let elapsed = 0; elapsed < 12 * HOUR - 20 * MINUTE; elapsed += 20 * MINUTE) {
      t.clock.advance(20 * MINUTE);
      expect((await busy.get('/accounts')).status).toBe(200);
    }
    t.clock.advance(25 * MINUTE);
    expect((await busy.get('/accounts')).headers.location).toBe('/login');
  });

  it('answers a form sent after its session ended with the sign-in page, saying that nothing was changed', async () => {
    const agent = t.agent();
    await signIn(agent, owner.email, owner.password);
    const _csrf = await csrfOf(agent, '/profile');
    t.clock.advance(31 * MINUTE);
    const res = await agent.post('/profile/time-zone').type('form').send({ _csrf, timeZone: 'Asia/Tokyo' });
    expect([res.status, res.headers.location]).toEqual([303, '/login']);
    const login = await agent.get('/login');
    expect(login.status).toBe(200);
    expect(login.text).toContain('You were signed out before this form was sent, so nothing was changed. Sign in, then send it again.');
    expect((await t.em().findOneOrFail(User, owner.user.id)).timeZone).toBeNull();

    // The sign-in page left open past its own session's end says so, and signing in then works.
    const idle = t.agent();
    const token = await csrfOf(idle, '/login');
    t.clock.advance(t.config.retention.anonymousSessionMs + MINUTE);
    const stale = await idle.post('/login').type('form').send({ _csrf: token, email: owner.email, password: owner.password });
    expect([stale.status, stale.headers.location]).toEqual([303, '/login']);
    const again = await idle.get('/login');
    expect(again.text).toContain('The sign-in page was open so long that its form expired. Sign in again.');
    expect(
      (
        await idle
          .post('/login')
          .type('form')
          .send({ _csrf: csrfFrom(again.text), email: owner.email, password: owner.password })
      ).headers.location,
    ).toBe('/accounts');

    // A token that does not match a live session's is still refused outright.
    const live = t.agent();
    await signIn(live, owner.email, owner.password);
    const forged = await live.post('/profile/time-zone').type('form').send({ _csrf: token, timeZone: 'Asia/Tokyo' });
    expect(forged.status).toBe(403);
  });
});

describe('sessions across instances and failures', () => {
  it('keeps a session signed in on another app instance sharing the database', async () => {
    const db = await createTestDatabase();
    const one = await createTestApp({ database: db });
    const two = await createTestApp({ database: db, migrate: false });
    try {
      const m = await createMember(one.em(), await createPartner(one.em()));
      const agent = one.agent();
      const res = await signIn(agent, m.email, m.password);
      const cookie = /hub\.sid=[^;]+/.exec(String(res.headers['set-cookie']))![0];
      const onTwo = await two.http().get('/accounts').set('Cookie', cookie);
      expect(onTwo.status).toBe(200);
      expect(onTwo.text).toContain(m.user.name);
    } finally {
      await two.close();
      await one.close();
      await db.drop();
    }
  });

  it('shows a generic 500 page with a reference, logged with the request id, when the database is gone', async () => {
    const t = await createTestApp();
    const m = await createMember(t.em(), await createPartner(t.em()));
    const agent = t.agent();
    await signIn(agent, m.email, m.password);
    await t.orm.close(true);
    const res = await agent.get('/accounts');
    expect(res.status).toBe(500);
    expect(res.text).toContain('Something went wrong');
    expect(res.text).toContain(res.headers['x-request-id']);
    expect(res.text).not.toMatch(/at .*\.(ts|js):\d+|Error:/);
    expect(t.logs.some((l) => l.includes(res.headers['x-request-id']) && l.includes('unhandled error'))).toBe(true);
    await t.close().catch(() => undefined);
  });

  it('keeps a session whose read failed once (a database blip): a 500, then still signed in', async () => {
    const t = await createTestApp();
    try {
      const m = await createMember(t.em(), await createPartner(t.em()));
      const agent = t.agent();
      await signIn(agent, m.email, m.password);
      const sessions = await t.em().count(SessionRecord, { userId: m.user.id });
      // The request's first query is its session's read.
      vi.spyOn(t.app.get(Sql), 'all').mockRejectedValueOnce(new Error('Connection terminated unexpectedly'));
      expect((await agent.get('/accounts')).status).toBe(500);
      expect(await t.em().count(SessionRecord, { userId: m.user.id })).toBe(sessions);
      expect((await agent.get('/accounts')).status).toBe(200);
    } finally {
      vi.restoreAllMocks();
      await t.close();
    }
  });

  it('logs a form that fails to render again with the request id its 500 page shows', async () => {
    const t = await createTestApp();
    const m = await createMember(t.em(), await createPartner(t.em()), { role: 'owner' });
    const agent = t.agent();
    await signIn(agent, m.email, m.password);
    const _csrf = await csrfOf(agent, '/users/new');
    // The Add user form's role choice reads the `eq` helper: it fails while this test breaks it.
    hbs.registerHelper('eq', () => {
      throw new Error('helper broken by the test');
    });
    try {
      const res = await agent.post('/users').type('form').send({ _csrf, name: '', email: 'not an email', role: 'member' });
      expect(res.status).toBe(500);
      expect(res.text).toContain(res.headers['x-request-id']);
      const line = t.logs.find((l) => l.includes(res.headers['x-request-id']) && l.includes('view failed'));
      expect(line).toContain('users/new');
      expect(line).toContain('helper broken by the test');
    } finally {
      hbs.registerHelper('eq', viewHelpers.eq as never);
      await t.close();
    }
  });
});

// Production runs on PostgreSQL only (DATABASE_URL is required there).
describe.skipIf(!onPostgres())('cookies in production', () => {
  it('sets __Host- cookies with Secure behind the TLS proxy, and deletes the session cookie at sign-out with the same attributes', async () => {
    const { t } = await createTestAppWithSmtp({
      env: { NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(32), APP_BASE_URL: 'https://hub.example.com', TRUSTED_PROXY_HOPS: '1' },
    });
    try {
      const m = await createMember(t.em(), await createPartner(t.em()));
      const https = { 'X-Forwarded-Proto': 'https' };
      const cookiesOf = (res: { headers: Record<string, unknown> }) =>
        ([] as string[]).concat((res.headers['set-cookie'] as string[]) ?? []);
      const form = await t.http().get('/login').set(https);
      const anonymous = /__Host-hub\.sid=[^;]+/.exec(cookiesOf(form).join('\n'))![0];
      const signedIn = await t
        .http()
        .post('/login')
        .set({ ...https, Cookie: anonymous })
        .type('form')
        .send({ _csrf: csrfFrom(form.text), email: m.email, password: m.password });
      expect(signedIn.status).toBe(303);
      const set = cookiesOf(signedIn);
      for (const name of ['__Host-hub.sid', '__Host-hub.browser']) {
        expect(set.find((c) => c.startsWith(`${name}=`))).toMatch(/; Path=\/;.*HttpOnly; Secure; SameSite=Lax$/);
      }
      const session = /__Host-hub\.sid=[^;]+/.exec(set.join('\n'))![0];
      const page = await t
        .http()
        .get('/accounts')
        .set({ ...https, Cookie: session });
      const out = await t
        .http()
        .post('/logout')
        .set({ ...https, Cookie: session, Origin: 'https://hub.example.com' })
        .type('form')
        .send({ _csrf: csrfFrom(page.text) });
      expect(out.status).toBe(303);
      // A browser drops a __Host- cookie only when the Set-Cookie that expires it says Secure too.
      expect(cookiesOf(out)).toEqual([
        expect.stringMatching(/^__Host-hub\.sid=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax$/),
      ]);
    } finally {
      await t.close();
    }
  });
});
