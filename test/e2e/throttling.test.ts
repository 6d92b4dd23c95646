import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../src/audit/entities/audit-event.entity';
import { SessionRecord } from '../../src/auth/entities/session.entity';
import { OutboxEmail } from '../../src/mail/entities/outbox-email.entity';
import { Membership } from '../../src/auth/entities/membership.entity';
import { createTestApp, type TestApp } from '../support/app';
import { DAY, HOUR, MINUTE } from '../support/clock';
import { createTestDatabase } from '../support/database';
import { csrfFrom, csrfOf, postForm, signIn } from '../support/http';
import { createMember, createPartner, type MemberFixture } from '../factories';

type Agent = ReturnType<typeof request.agent>;

const WRONG = 'not the password at all';

/** Counts answers by status: 422 and 303 are password checks, 429 a refusal before bcrypt. */
function tally(statuses: number[]) {
  const checked = statuses.filter((s) => s === 422 || s === 303).length;
  const refused = statuses.filter((s) => s === 429).length;
  return { checked, refused, other: statuses.length - checked - refused };
}

/** `n` sign-in forms posted at once through one session, the right password last. */
async function burst(
  agent: Agent,
  email: string,
  password: string,
  n: number,
  headers: (i: number) => Record<string, string> = () => ({}),
) {
  const page = await agent.get('/login');
  const _csrf = csrfFrom(page.text);
  const answers = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      agent
        .post('/login')
        .set(headers(i))
        .type('form')
        .send({ _csrf, email, password: i === n - 1 ? password : WRONG }),
    ),
  );
  return answers.map((r) => r.status);
}

const securityLines = (t: TestApp, event: string) =>
  t.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.security === true && l.event === event);

describe('sign-in throttling', () => {
  let t: TestApp;
  let partner: Awaited<ReturnType<typeof createPartner>>;
  let owner: MemberFixture;
  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    partner = await createPartner(t.em(), { name: 'Initech' });
    owner = await createMember(t.em(), partner, { role: 'owner', name: 'Olive Owner' });
  });
  afterAll(() => t.close());
  // Each test starts with fresh windows.
  const nextWindow = () => t.clock.advance(16 * MINUTE);

  it('answers 429 with Retry-After after 5 wrong passwords for one account, even for the right one, until the window passes', async () => {
    nextWindow();
    const m = await createMember(t.em(), partner, { role: 'member' });
    for (let i = 0; i < 5; i++) {
      expect((await postForm(t.agent(), '/login', { email: m.email, password: WRONG })).status).toBe(422);
    }
    const blocked = await postForm(t.agent(), '/login', { email: m.email, password: m.password });
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Too many failed sign-ins');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    const logged = securityLines(t, 'login.throttled');
    expect(logged.some((l) => l.requestId === blocked.headers['x-request-id'] && l.limit === 'account')).toBe(true);
    t.clock.advance(15 * MINUTE + 1000);
    expect((await postForm(t.agent(), '/login', { email: m.email, password: m.password })).status).toBe(303);
  });

  it('checks at most 5 passwords when 30 sign-ins for one account arrive at once, the right one last', async () => {
    nextWindow();
    const m = await createMember(t.em(), partner, { role: 'member' });
    const counted = tally(await burst(request.agent(t.url), m.email, m.password, 30));
    expect(counted.other).toBe(0);
    expect(counted.checked).toBeLessThanOrEqual(5);
    expect(counted.checked).toBeGreaterThan(0);
    expect(counted.refused).toBe(30 - counted.checked);
  });

  it('counts the same account alike however it is spelled', async () => {
    nextWindow();
    const m = await createMember(t.em(), partner, { role: 'member' });
    const spellings = [m.email, m.email.toUpperCase(), ` ${m.email} `, `${m.email[0].toUpperCase()}${m.email.slice(1)}`, m.email];
    for (const email of spellings) expect((await postForm(t.agent(), '/login', { email, password: WRONG })).status).toBe(422);
    expect((await postForm(t.agent(), '/login', { email: m.email, password: m.password })).status).toBe(429);
  });

  it('gives a successful sign-in its point back: the person can sign in again and again', async () => {
    nextWindow();
    const m = await createMember(t.em(), partner, { role: 'member' });
    for (let i = 0; i < 8; i++) expect((await postForm(t.agent(), '/login', { email: m.email, password: m.password })).status).toBe(303);
  });

  it('answers 429 after 20 wrong passwords from one IP across accounts', async () => {
    nextWindow();
    const m = await createMember(t.em(), partner, { role: 'member' });
    for (let i = 0; i < 20; i++) {
      expect((await postForm(t.agent(), '/login', { email: `someone${i}@example.com`, password: WRONG })).status).toBe(422);
    }
    const blocked = await postForm(t.agent(), '/login', { email: m.email, password: m.password });
    expect(blocked.status).toBe(429);
    expect(securityLines(t, 'login.throttled').some((l) => l.requestId === blocked.headers['x-request-id'] && l.limit === 'ip')).toBe(true);
  });

  it('emails the person once per lock, and shows the failed attempts and the lock to owners in Activity', async () => {
    nextWindow();
    const m = await createMember(t.em(), partner, { role: 'member', name: 'Milton Member' });
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) statuses.push((await postForm(t.agent(), '/login', { email: m.email, password: WRONG })).status);
    expect(statuses).toEqual([422, 422, 422, 422, 422, 429, 429, 429, 429]);
    // Written once the answer is on its way.
    await t.settled();
    expect(await t.em().count(AuditEvent, { action: 'auth.sign_in_locked', subjectId: m.user.id })).toBe(1);
    expect(await t.em().count(AuditEvent, { action: 'auth.sign_in_failed', subjectId: m.user.id })).toBe(5);
    expect(await t.em().count(OutboxEmail, { toAddress: m.email, template: 'sign_in_locked' })).toBe(1);
    const failed = await t.em().findOneOrFail(AuditEvent, { action: 'auth.sign_in_failed', subjectId: m.user.id });
    expect(failed.partnerId).toBe(partner.id);
    expect(failed.actorLabel).toBe('Unknown visitor');

    // The next window's lock is told again.
    nextWindow();
    for (let i = 0; i < 6; i++) await postForm(t.agent(), '/login', { email: m.email, password: WRONG });
    await t.settled();
    expect(await t.em().count(OutboxEmail, { toAddress: m.email, template: 'sign_in_locked' })).toBe(2);

    nextWindow();
    const ownerAgent = t.agent();
    await signIn(ownerAgent, owner.email, owner.password);
    const activity = await ownerAgent.get('/activity');
    const sentences = activity.text.replace(/<[^>]+>/g, '');
    expect(sentences).toContain('Someone tried to sign in as Milton Member with a wrong password');
    expect(sentences).toContain('Signing in as Milton Member from new browsers was paused for 15 minutes');
  });

  it('lets a browser the person signed in from before sign in while strangers’ guesses pause the account, with a count of its own', async () => {
    nextWindow();
    const m = await createMember(t.em(), partner, { role: 'member' });
    const other = await createMember(t.em(), partner, { role: 'member' });
    const signOut = async (agent: Agent) => {
      const res = await agent
        .post('/logout')
        .type('form')
        .send({ _csrf: await csrfOf(agent, '/accounts') });
      expect(res.status).toBe(303);
      // Signing out forgets the session, not that the browser is known.
      expect(String(res.headers['set-cookie'])).not.toContain('hub.browser');
    };
    const mine = t.agent();
    const seen = await postForm(mine, '/login', { email: m.email, password: m.password });
    expect(seen.status).toBe(303);
    expect(String(seen.headers['set-cookie'])).toMatch(
      /hub\.browser=[\w.~-]+; Max-Age=15552000; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax/,
    );
    await signOut(mine);
    // A browser known to another account is a stranger to this one.
    const others = t.agent();
    expect((await postForm(others, '/login', { email: other.email, password: other.password })).status).toBe(303);
    await signOut(others);

    for (let i = 0; i < 5; i++) expect((await postForm(t.agent(), '/login', { email: m.email, password: WRONG })).status).toBe(422);
    expect((await postForm(t.agent(), '/login', { email: m.email, password: m.password })).status).toBe(429);
    expect((await postForm(others, '/login', { email: m.email, password: m.password })).status).toBe(429);
    expect((await postForm(mine, '/login', { email: m.email, password: m.password })).status).toBe(303);
    await signOut(mine);

    // Past its own 5, a known browser is a new one again: its guesses count on the account,
    // which strangers hold paused.
    for (let i = 0; i < 5; i++) expect((await postForm(mine, '/login', { email: m.email, password: WRONG })).status).toBe(422);
    const blocked = await postForm(mine, '/login', { email: m.email, password: m.password });
    expect(blocked.status).toBe(429);
    const logged = securityLines(t, 'login.throttled').find((l) => l.requestId === blocked.headers['x-request-id']);
    expect(logged).toMatchObject({ limit: 'account', knownBrowser: true });
    expect((await postForm(others, '/login', { email: other.email, password: other.password })).status).toBe(303);

    // Alone in a window, a known browser checks at most its 5 and the account's 5, and the pause is told.
    t.clock.advance(15 * MINUTE + 1000);
    await t.settled();
    const notices = () => t.em().count(OutboxEmail, { toAddress: m.email, template: 'sign_in_locked' });
    const before = await notices();
    for (let i = 0; i < 10; i++) expect((await postForm(mine, '/login', { email: m.email, password: WRONG })).status).toBe(422);
    expect((await postForm(mine, '/login', { email: m.email, password: m.password })).status).toBe(429);
    await t.settled();
    expect(await notices()).toBe(before + 1);
    t.clock.advance(15 * MINUTE + 1000);
    expect((await postForm(mine, '/login', { email: m.email, password: m.password })).status).toBe(303);
  });

  it('checks at most 10 passwords when 30 sign-ins arrive at once from a known browser: its 5, then the account’s', async () => {
    nextWindow();
    const m = await createMember(t.em(), partner, { role: 'member' });
    const mine = t.agent();
    expect((await postForm(mine, '/login', { email: m.email, password: m.password })).status).toBe(303);
    expect(
      (
        await mine
          .post('/logout')
          .type('form')
          .send({ _csrf: await csrfOf(mine, '/accounts') })
      ).status,
    ).toBe(303);
    // All wrong: no success gives a point back while the others arrive.
    const counted = tally(await burst(mine, m.email, WRONG, 30));
    expect(counted.other).toBe(0);
    expect(counted.checked).toBeLessThanOrEqual(10);
    expect(counted.checked).toBeGreaterThan(5);
    expect(counted.refused).toBe(30 - counted.checked);
  });

  it('counts a forged or altered known-browser cookie as a new browser', async () => {
    nextWindow();
    const m = await createMember(t.em(), partner, { role: 'member' });
    const mine = t.agent();
    const seen = await postForm(mine, '/login', { email: m.email, password: m.password });
    const value = /hub\.browser=([^;]+)/.exec(String(seen.headers['set-cookie']))![1];
    for (let i = 0; i < 5; i++) await postForm(t.agent(), '/login', { email: m.email, password: WRONG });
    const altered = `${value.slice(0, -1)}${value.endsWith('A') ? 'B' : 'A'}`;
    for (const cookie of [
      altered,
      `${'a'.repeat(22)}.${'b'.repeat(22)}`,
      `${value.startsWith('A') ? 'B' : 'A'}${value.slice(1)}`,
      'x'.repeat(5000),
    ]) {
      const forged = t.agent();
      const page = await forged.get('/login').set('Cookie', `hub.browser=${cookie}`);
      const res = await forged
        .post('/login')
        .set('Cookie', `hub.browser=${cookie}`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), email: m.email, password: m.password });
      expect(res.status).toBe(429);
    }
  });

  it('writes nothing to Activity for guesses at addresses on no team', async () => {
    nextWindow();
    const attempts = () => t.em().count(AuditEvent, { action: { $like: 'auth.sign_in_%' } });
    const before = await attempts();
    for (let i = 0; i < 7; i++) await postForm(t.agent(), '/login', { email: 'nobody@nowhere.example', password: WRONG });
    const m = await createMember(t.em(), partner, { role: 'member' });
    await postForm(t.agent(), '/login', { email: m.email, password: WRONG });
    await t.settled();
    expect(await attempts()).toBe(before + 1);
  });
});

describe('sign-in throttling from many addresses', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ listen: true, env: { TRUSTED_PROXY_HOPS: '1' } });
  });
  afterAll(() => t.close());

  it('caps one account at 5 password checks however many IPs the 30 guesses come from', async () => {
    const m = await createMember(t.em(), await createPartner(t.em()), { role: 'member' });
    const statuses = await burst(request.agent(t.url), m.email, m.password, 30, (i) => ({ 'X-Forwarded-For': `198.51.100.${i + 1}` }));
    const counted = tally(statuses);
    expect(counted.other).toBe(0);
    expect(counted.checked).toBeLessThanOrEqual(5);
    expect(counted.refused).toBe(30 - counted.checked);
  });

  it('counts the addresses of one IPv6 /64 as one network, and another /64 apart', async () => {
    const from = (ip: string) => request.agent(t.url).set('X-Forwarded-For', ip);
    for (let i = 0; i < 20; i++) {
      const res = await postForm(from(`2001:db8:5:6:${((i * 7919) % 0x10000).toString(16)}::${i + 1}`), '/login', {
        email: `guess${i}@example.com`,
        password: WRONG,
      });
      expect(res.status).toBe(422);
    }
    const m = await createMember(t.em(), await createPartner(t.em()), { role: 'member' });
    expect((await postForm(from('2001:db8:5:6:ffff::1'), '/login', { email: m.email, password: m.password })).status).toBe(429);
    expect((await postForm(from('2001:db8:5:7::1'), '/login', { email: m.email, password: m.password })).status).toBe(303);
  });
});

describe('sign-in throttling across two instances on one database', () => {
  it('checks at most 5 passwords of one account when 30 guesses are split over both at once', async () => {
    const db = await createTestDatabase();
    const one = await createTestApp({ database: db, listen: true });
    const two = await createTestApp({ database: db, listen: true, migrate: false });
    try {
      const m = await createMember(one.em(), await createPartner(one.em()), { role: 'member' });
      const [a, b] = await Promise.all([
        burst(request.agent(one.url), m.email, m.password, 15),
        burst(request.agent(two.url), m.email, m.password, 15),
      ]);
      const counted = tally([...a, ...b]);
      expect(counted.other).toBe(0);
      expect(counted.checked).toBeLessThanOrEqual(5);
      expect(counted.refused).toBe(30 - counted.checked);
    } finally {
      await two.close();
      await one.close();
      await db.drop();
    }
  });
});

describe('changing one’s password', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const change = (agent: Agent, current: string, password = 'quartz meadow lantern 42 fig') =>
    postForm(agent, '/profile/password', { current, password, confirm: password }, '/profile');

  it('gives the current session a new id, ends every other session, and keeps the person signed in', async () => {
    const m = await createMember(t.em(), await createPartner(t.em()));
    const elsewhere = t.agent();
    await signIn(elsewhere, m.email, m.password);
    const agent = t.agent();
    const signedIn = await signIn(agent, m.email, m.password);
    const before = /hub\.sid=([^;]+)/.exec(String(signedIn.headers['set-cookie']))![1];
    const res = await change(agent, m.password);
    expect(res.status).toBe(303);
    const after = /hub\.sid=([^;]+)/.exec(String(res.headers['set-cookie']))?.[1];
    expect(after).toBeTruthy();
    expect(after).not.toBe(before);
    expect((await agent.get('/profile')).status).toBe(200);
    expect((await elsewhere.get('/accounts')).headers.location).toBe('/login');
    expect(await t.em().count(SessionRecord, { userId: m.user.id })).toBe(1);
  });

  it('refuses a sixth current-password check in 15 minutes with 429, the right password included', async () => {
    const m = await createMember(t.em(), await createPartner(t.em()));
    const agent = t.agent();
    await signIn(agent, m.email, m.password);
    for (let i = 0; i < 5; i++) expect((await change(agent, WRONG)).status).toBe(422);
    const blocked = await change(agent, m.password);
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Too many attempts');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(securityLines(t, 'password.current.throttled').some((l) => l.requestId === blocked.headers['x-request-id'])).toBe(true);
    t.clock.advance(15 * MINUTE + 1000);
    // The session outlived the window only if it was used: sign in again, then change.
    const again = t.agent();
    await signIn(again, m.email, m.password);
    expect((await change(again, m.password)).status).toBe(303);
  });
});

describe('forgot-password', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  const ask = (email: string) => postForm(t.agent(), '/password/forgot', { email });

  it('answers a known and an unknown address alike, and queues one email for each', async () => {
    const m = await createMember(t.em(), await createPartner(t.em()));
    const known = await ask(m.email);
    const unknown = await ask('stranger@nowhere.example');
    expect([known.status, known.headers.location]).toEqual([unknown.status, unknown.headers.location]);
    await t.settled();
    expect(await t.em().count(OutboxEmail, { toAddress: m.email, template: 'password_reset' })).toBe(1);
    expect(await t.em().count(OutboxEmail, { toAddress: 'stranger@nowhere.example', template: 'password_reset_unknown' })).toBe(1);
    const k = await t.agent().get(known.headers.location);
    const u = await t.agent().get(unknown.headers.location);
    expect(k.status).toBe(u.status);
  });

  it('refuses the fourth request for one address within an hour with 429, known or not, whatever the IP', async () => {
    t.clock.advance(HOUR + MINUTE);
    for (const email of ['again@nowhere.example', (await createMember(t.em(), await createPartner(t.em()))).email]) {
      for (let i = 0; i < 3; i++) expect((await ask(email)).status).toBe(303);
      const blocked = await ask(email);
      expect(blocked.status).toBe(429);
      expect(blocked.text).toContain('Too many requests for this address');
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      await t.settled();
      expect(await t.em().count(OutboxEmail, { toAddress: email })).toBe(3);
    }
  });

  it('refuses the 21st request from one IP within an hour, across addresses', async () => {
    t.clock.advance(HOUR + MINUTE);
    for (let i = 0; i < 20; i++) expect((await ask(`someone${i}@nowhere.example`)).status).toBe(303);
    const blocked = await ask('one-more@nowhere.example');
    expect(blocked.status).toBe(429);
    await t.settled();
    expect(await t.em().count(OutboxEmail, { toAddress: 'one-more@nowhere.example' })).toBe(0);
    expect(securityLines(t, 'forgot.throttled').some((l) => l.requestId === blocked.headers['x-request-id'])).toBe(true);
  });
});

describe('links opened', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('refuses the 31st link opened from one IP within 15 minutes, reset and invitation links alike', async () => {
    const agent = t.agent();
    for (let i = 0; i < 30; i++) {
      const path = i % 2 ? `/password/reset/${'a'.repeat(43)}` : `/invitations/${'b'.repeat(43)}`;
      expect((await agent.get(path)).status).toBe(303);
    }
    const blocked = await agent.get(`/password/reset/${'c'.repeat(43)}`);
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Too many links opened');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    t.clock.advance(15 * MINUTE + 1000);
    expect((await agent.get(`/password/reset/${'c'.repeat(43)}`)).status).toBe(303);
  });
});

describe('invitation email limits', () => {
  let t: TestApp;
  let owner: MemberFixture;
  let agent: Agent;
  beforeAll(async () => {
    t = await createTestApp();
    owner = await createMember(t.em(), await createPartner(t.em()), { role: 'owner' });
    agent = t.agent();
    await signIn(agent, owner.email, owner.password);
  });
  afterAll(() => t.close());

  const invite = (email: string) => postForm(agent, '/users', { name: 'Nia New', email, role: 'member' }, '/users/new');
  /** Moves past a window; the owner's session has expired by then, so they sign in again. */
  const later = async (ms: number) => {
    t.clock.advance(ms);
    agent = t.agent();
    await signIn(agent, owner.email, owner.password);
  };

  it('sends one address at most 5 invitations a day, resends included, then says why on the Users page', async () => {
    expect((await invite('nia@newco.example')).status).toBe(303);
    const m = await t.em().findOneOrFail(Membership, { user: { email: 'nia@newco.example' } });
    for (let i = 0; i < 4; i++) expect((await postForm(agent, `/users/${m.id}/resend`, {}, '/users')).headers.location).toBe('/users');
    const before = await t.em().count(OutboxEmail, { toAddress: 'nia@newco.example' });
    expect(before).toBe(5);
    await postForm(agent, `/users/${m.id}/resend`, {}, '/users');
    expect(await t.em().count(OutboxEmail, { toAddress: 'nia@newco.example' })).toBe(5);
    expect((await agent.get('/users')).text).toContain('This address has been sent 5 invitations in the last 24 hours.');
    await later(DAY + MINUTE);
    await postForm(agent, `/users/${m.id}/resend`, {}, '/users');
    expect(await t.em().count(OutboxEmail, { toAddress: 'nia@newco.example' })).toBe(6);
  });

  it('sends at most 50 invitations an hour for a partner, then re-renders the form with 429 and writes nothing', async () => {
    await later(HOUR + MINUTE);
    const _csrf = await csrfOf(agent, '/users/new');
    for (let i = 0; i < 50; i++) {
      const res = await agent
        .post('/users')
        .type('form')
        .send({ _csrf, name: `Person ${i}`, email: `p${i}@bulk.example`, role: 'member' });
      expect(res.status).toBe(303);
    }
    const memberships = await t.em().count(Membership, {});
    const outbox = await t.em().count(OutboxEmail, {});
    const blocked = await invite('p50@bulk.example');
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Your team has sent 50 invitations in the last hour.');
    expect(blocked.text).toContain('p50@bulk.example');
    expect(await t.em().count(Membership, {})).toBe(memberships);
    expect(await t.em().count(OutboxEmail, {})).toBe(outbox);
  });

  it('does not count an invitation that was refused (already on the team)', async () => {
    await later(DAY + MINUTE);
    for (let i = 0; i < 6; i++) expect((await invite(owner.email)).status).toBe(422);
    expect((await invite('fresh@newco.example')).status).toBe(303);
  });
});
