import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeysService } from '../../src/api/api-keys.service';
import type { CurrentMember } from '../../src/common/http';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createTestApp, type TestApp } from '../support/app';
import { DAY, MINUTE } from '../support/clock';
import { csrfFrom, postForm, signIn } from '../support/http';
import { ApiContract, type OpenApiDoc } from '../support/openapi-doc';

const KEY = /phk_live_[0-9A-Za-z]{17}_[0-9A-Za-z]{43}/g;

type Agent = ReturnType<TestApp['agent']>;

/** Creates a key through the real form; returns the page and the key it shows. */
async function createKey(agent: Agent, fields: Record<string, string> = {}) {
  const res = await postForm(
    agent,
    '/settings/api-keys',
    { name: 'ERP sync', scope: 'read', expires: '', ...fields },
    '/settings/api-keys/new',
  );
  return { res, key: res.text.match(KEY)?.[0] };
}

const rows = (t: TestApp, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> =>
  t.em().getConnection().execute(sql, params);

describe('API keys', () => {
  let t: TestApp;
  let owner: MemberFixture;
  let agent: Agent;
  let partnerId: string;
  let contract: ApiContract;

  beforeAll(async () => {
    t = await createTestApp({ env: { LOG_LEVEL: 'trace' } });
    const partner = await createPartner(t.em(), { name: 'Keyholders' });
    partnerId = partner.id;
    owner = await createMember(t.em(), partner, { role: 'owner', name: 'Olga Owner' });
    agent = t.agent();
    await signIn(agent, owner.email, owner.password);
    contract = new ApiContract((await t.http().get('/api/v1/openapi.json')).body as OpenApiDoc);
  });
  afterAll(() => t.close());
  // Every answer of the API, against its document.
  afterEach(() => {
    contract.expectEvery(t.apiAnswers.splice(0));
  });

  it('shows a new key once, on a page that says so, and stores only its SHA-256 hash', async () => {
    const { res, key } = await createKey(agent, { name: 'Shown once' });
    expect(res.status).toBe(201);
    expect(res.text).toContain('it will not be shown again');
    expect(res.text).toContain(`data-copy="${key}"`);
    const [row] = await rows(t, 'select * from api_key where name = ?', ['Shown once']);
    expect(
      Object.values(row)
        .map(String)
        .filter((v) => v.includes(key!.slice(-43))),
    ).toEqual([]);
    const { createHash } = await import('node:crypto');
    expect(row.secret_hash).toBe(createHash('sha256').update(key!).digest('hex'));
    const list = await agent.get('/settings/api-keys');
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(key!.slice(-43));
    expect(list.text).toContain(`${key!.slice(0, 26)}…`);
    expect(list.text).toContain('Olga Owner');
    expect(list.headers['cache-control']).toBe('no-store');
  });

  it('re-renders the form with 422 and the field errors, creating nothing', async () => {
    const before = (await rows(t, 'select id from api_key')).length;
    const res = await postForm(agent, '/settings/api-keys', { name: '', scope: 'admin', expires: 'tomorrow' }, '/settings/api-keys/new');
    expect(res.status).toBe(422);
    expect(res.text).toContain('Name is required.');
    expect(res.text).toContain('Choose read or read and write.');
    expect(res.text).toContain('Enter a date like 2027-01-31.');
    const past = await postForm(
      agent,
      '/settings/api-keys',
      { name: 'Old', scope: 'read', expires: '2020-01-01' },
      '/settings/api-keys/new',
    );
    expect(past.status).toBe(422);
    expect(past.text).toContain('Choose a day after today.');
    // A day the calendar does not have is not the day after it.
    const impossible = await postForm(
      agent,
      '/settings/api-keys',
      { name: 'Leap', scope: 'read', expires: '2031-02-30' },
      '/settings/api-keys/new',
    );
    expect(impossible.status).toBe(422);
    expect(impossible.text).toContain('Enter a date like 2027-01-31.');
    expect((await rows(t, 'select id from api_key')).length).toBe(before);
  });

  it('makes one key from one form: sent again (a reload of the shown-once page), it goes to the list and says so', async () => {
    const page = await agent.get('/settings/api-keys/new');
    const form = page.text.match(/name="form" value="([\w-]{22})"/)?.[1];
    expect(form).toBeDefined();
    const fields = { _csrf: csrfFrom(page.text), form, name: 'Sent twice', scope: 'read', expires: '' };
    const first = await agent.post('/settings/api-keys').type('form').send(fields);
    expect(first.status).toBe(201);
    const prefix = first.text.match(KEY)![0].slice(0, 26);
    const again = await agent.post('/settings/api-keys').type('form').send(fields);
    expect([again.status, again.headers.location]).toEqual([303, '/settings/api-keys']);
    expect(again.text).not.toMatch(KEY);
    expect((await agent.get('/settings/api-keys')).text).toContain(
      `This form was already sent: it created the key &quot;Sent twice&quot; (${prefix}…), shown once.`,
    );
    expect(await rows(t, 'select id from api_key where name = ?', ['Sent twice'])).toHaveLength(1);

    // A form that failed keeps its id; the next form shown gets a new one and makes its own key.
    const invalid = await agent
      .post('/settings/api-keys')
      .type('form')
      .send({ ...fields, form: 'x'.repeat(22), name: '' });
    expect(invalid.status).toBe(422);
    expect(invalid.text).toContain(`name="form" value="${'x'.repeat(22)}"`);
    const next = await agent.get('/settings/api-keys/new');
    expect(next.text.match(/name="form" value="([\w-]{22})"/)?.[1]).not.toBe(form);
    const second = await postForm(
      agent,
      '/settings/api-keys',
      { name: 'Sent twice', scope: 'read', expires: '' },
      '/settings/api-keys/new',
    );
    expect(second.status).toBe(201);
    expect(await rows(t, 'select id from api_key where name = ?', ['Sent twice'])).toHaveLength(2);
  });

  it('makes one key from one form sent twice at once (a double click), however the two requests interleave', async () => {
    const page = await agent.get('/settings/api-keys/new');
    const fields = {
      _csrf: csrfFrom(page.text),
      form: page.text.match(/name="form" value="([\w-]{22})"/)?.[1],
      name: 'Clicked twice',
      scope: 'read',
      expires: '',
    };
    const send = () => agent.post('/settings/api-keys').type('form').send(fields);
    const answers = await Promise.all([send(), send(), send()]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 303, 303]);
    expect(answers.filter((a) => a.text.match(KEY))).toHaveLength(1);
    expect(await rows(t, 'select id from api_key where name = ?', ['Clicked twice'])).toHaveLength(1);
  });

  it('records creating, first use and revoking in Activity, and the last use (time and IP) on the list', async () => {
    const { key } = await createKey(agent, { name: 'Audited' });
    const [row] = await rows(t, 'select id from api_key where name = ?', ['Audited']);
    const api = () => t.http().get('/api/v1/statuses').set('Authorization', `Bearer ${key}`);
    expect((await api()).status).toBe(200);
    expect((await api()).status).toBe(200);
    const events = await rows(t, 'select action, actor_label from audit_event where subject_id = ? order by created_at, action', [row.id]);
    expect(events.map((e) => e.action).sort()).toEqual(['api_key.created', 'api_key.first_used']);
    // The key is named as everywhere else, its acts included.
    expect(events.find((e) => e.action === 'api_key.first_used')!.actor_label).toBe('API key “Audited”');
    const [used] = await rows(t, 'select last_used_at, last_used_ip from api_key where id = ?', [row.id]);
    expect(used.last_used_ip).toMatch(/127\.0\.0\.1/);

    // The list links to a page that says what revoking does; opening it revokes nothing.
    expect((await agent.get('/settings/api-keys')).text).toContain(
      `<a class="button small danger" href="/settings/api-keys/${row.id as string}/revoke">`,
    );
    const confirm = await agent.get(`/settings/api-keys/${row.id as string}/revoke`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('<h1>Revoke the key Audited</h1>');
    expect(confirm.text).toMatch(/<dt>Last used<\/dt><dd>[^<]+ from [^<]*127\.0\.0\.1/);
    expect(confirm.text).toContain(`<form method="post" action="/settings/api-keys/${row.id as string}/revoke" class="confirm-actions">`);
    expect((await api()).status).toBe(200);

    const revoked = await postForm(
      agent,
      `/settings/api-keys/${row.id as string}/revoke`,
      {},
      `/settings/api-keys/${row.id as string}/revoke`,
    );
    expect(revoked.status).toBe(303);
    expect((await api()).status).toBe(401);
    const again = await agent.get(`/settings/api-keys/${row.id as string}/revoke`);
    expect(again.text).toMatch(/This key was revoked on [^<]+: it no longer works\./);
    expect(again.text).not.toContain('<form method="post" action="/settings/api-keys/');
    const after = await rows(t, 'select action from audit_event where subject_id = ?', [row.id]);
    expect(after.map((e) => e.action).sort()).toEqual(['api_key.created', 'api_key.first_used', 'api_key.revoked']);
    // On the list it reads as revoked where its expiry was, with no button left.
    const listed = (await agent.get('/settings/api-keys')).text.split('<tr>').find((r) => r.includes('<th scope="row">Audited</th>'))!;
    expect(listed).toMatch(/<span class="stack-label">Expires<\/span><span><span class="badge badge-red">Revoked<\/span>/);
    expect(listed).not.toContain('Never');
    expect(listed).not.toContain('/revoke');
  });

  it('writes the last use at most once a minute per key', async () => {
    const { key } = await createKey(agent, { name: 'Busy' });
    const api = () => t.http().get('/api/v1/statuses').set('Authorization', `Bearer ${key}`);
    await api();
    const [first] = await rows(t, 'select last_used_at from api_key where name = ?', ['Busy']);
    t.clock.advance(30_000);
    await api();
    const [same] = await rows(t, 'select last_used_at from api_key where name = ?', ['Busy']);
    expect(same.last_used_at).toEqual(first.last_used_at);
    t.clock.advance(MINUTE);
    await api();
    const [later] = await rows(t, 'select last_used_at from api_key where name = ?', ['Busy']);
    expect(later.last_used_at).not.toEqual(first.last_used_at);
  });

  it('refuses a key after its last day with 401', async () => {
    const tomorrow = new Date(t.clock.now().getTime() + DAY).toISOString().slice(0, 10);
    const { key, res: created } = await createKey(agent, { name: 'Short-lived', expires: tomorrow });
    // Shown as the day the owner chose, not as the midnight after it when it stops.
    const day = new Date(`${tomorrow}T12:00:00Z`).toLocaleDateString('en-GB', {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    });
    expect(created.text).toContain(`<dt>Expires</dt><dd>Works until the end of ${day} (UTC)</dd>`);
    const listed = (await agent.get('/settings/api-keys')).text.split('<tr>').find((r) => r.includes('<th scope="row">Short-lived</th>'))!;
    expect(listed).toContain(`<span class="stack-label">Expires</span><span>Last day ${day} (UTC)</span>`);
    const api = () => t.http().get('/api/v1/statuses').set('Authorization', `Bearer ${key}`);
    expect((await api()).status).toBe(200);
    t.clock.advance(2 * DAY);
    const res = await api();
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
  });

  it('allows at most 20 live keys per partner, also to creations at the same time', async () => {
    // The clock moved past the session's lifetime: sign in again.
    agent = t.agent();
    await signIn(agent, owner.email, owner.password);
    const live = async () =>
      Number(
        (
          await rows(
            t,
            'select count(*) as n from api_key where partner_id = ? and revoked_at is null and (expires_at is null or expires_at > ?)',
            [partnerId, t.clock.now()],
          )
        )[0].n,
      );
    while ((await live()) < 17) expect((await createKey(agent, { name: `Filler ${await live()}` })).res.status).toBe(201);
    // Six at once for the last three places, each on a connection of its own (the form posts
    // arrive too far apart to overlap): each counts and inserts under the partner's lock.
    const member: CurrentMember = {
      userId: owner.user.id,
      userName: owner.user.name,
      email: owner.email,
      partnerId,
      partnerName: 'Partner',
      partnerSlug: 'partner',
      role: 'owner',
      membershipId: owner.membership.id,
      timeZone: 'UTC',
    };
    const racing = await Promise.allSettled(
      [1, 2, 3, 4, 5, 6].map((i) =>
        t.app
          .get(ApiKeysService)
          .create(member, { name: `Racing ${i}`, scope: 'read', expiresAt: null }, { requestId: 'race', ip: '127.0.0.1' }),
      ),
    );
    expect(racing.map((r) => r.status).sort()).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected', 'rejected']);
    expect(await live()).toBe(20);
    const { res, key } = await createKey(agent, { name: 'One too many' });
    expect(res.status).toBe(422);
    expect(key).toBeUndefined();
    expect(res.text).toContain('at most 20 live API keys');
    expect(await live()).toBe(20);
  });

  it('refuses members with 403, and another partner\u2019s key id with 404', async () => {
    const partner = await createPartner(t.em());
    const member = await createMember(t.em(), partner, { role: 'member' });
    const memberAgent = t.agent();
    await signIn(memberAgent, member.email, member.password);
    expect((await memberAgent.get('/settings/api-keys')).status).toBe(403);
    expect((await memberAgent.get('/settings/api-keys/new')).status).toBe(403);
    const [theirs] = await rows(t, 'select id from api_key where partner_id = ? and revoked_at is null', [partnerId]);
    expect((await memberAgent.get(`/settings/api-keys/${theirs.id as string}/revoke`)).status).toBe(403);
    expect((await memberAgent.get('/users')).text).not.toContain('/settings/api-keys');
    const otherOwner = await createMember(t.em(), partner, { role: 'owner' });
    const otherAgent = t.agent();
    await signIn(otherAgent, otherOwner.email, otherOwner.password);
    expect((await otherAgent.get('/users')).text).toContain('href="/settings/api-keys"');
    const [mine] = await rows(t, 'select id from api_key where partner_id = ? and revoked_at is null', [partnerId]);
    expect((await otherAgent.get(`/settings/api-keys/${mine.id as string}/revoke`)).status).toBe(404);
    expect((await postForm(otherAgent, `/settings/api-keys/${mine.id as string}/revoke`, {}, '/settings/api-keys')).status).toBe(404);
    expect((await rows(t, 'select revoked_at from api_key where id = ?', [mine.id]))[0].revoked_at).toBeNull();
  });

  it('never writes a key into a log line', () => {
    expect(t.logs.length).toBeGreaterThan(0);
    expect(t.logs.filter((line) => /phk_live_[0-9A-Za-z]{17}_/.test(line))).toEqual([]);
  });

  it('validated every answer of this suite against the document', () => {
    // Each answer its tests made, recorded and checked after each test: the recorder works.
    expect(contract.every.checked).toBeGreaterThan(5);
    expect(contract.every.checked / contract.every.recorded).toBeGreaterThan(0.8);
  });
});

/**
 * Two instances of the app on one database (the second shares the first's clock when asked),
 * with an owner's key made on the first: `run` gets both and the key; both are closed after.
 */
async function withTwoInstances(
  options: { env?: Record<string, string>; sharedClock?: boolean },
  run: (first: TestApp, second: TestApp, key: string, agent: ReturnType<TestApp['agent']>) => Promise<void>,
): Promise<void> {
  const first = await createTestApp({ env: options.env });
  try {
    const second = await createTestApp({
      env: options.env,
      ...(options.sharedClock && { clock: first.clock }),
      database: { env: databaseEnv(first), drop: async () => {} },
      migrate: false,
    });
    try {
      const partner = await createPartner(first.em());
      const owner = await createMember(first.em(), partner);
      const agent = first.agent();
      await signIn(agent, owner.email, owner.password);
      const { key } = await createKey(agent);
      await run(first, second, key!, agent);
    } finally {
      await second.close();
    }
  } finally {
    await first.close();
  }
}

describe('revoking a key on one instance', () => {
  it('is refused with 401 at once by a second instance on the same database', async () => {
    await withTwoInstances({}, async (first, second, key, agent) => {
      const onSecond = () => second.http().get('/api/v1/statuses').set('Authorization', `Bearer ${key}`);
      expect((await onSecond()).status).toBe(200);
      const [row] = await rows(first, 'select id from api_key');
      expect((await postForm(agent, `/settings/api-keys/${row.id as string}/revoke`, {}, '/settings/api-keys')).status).toBe(303);
      const refused = await onSecond();
      expect(refused.status).toBe(401);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    });
  });
});

describe('a key on two instances', () => {
  it('has one per-minute limit, counted in the database, also for requests at the same time', async () => {
    await withTwoInstances({ env: { API_RATE_LIMIT_PER_MINUTE: '6' }, sharedClock: true }, async (first, second, key) => {
      const call = (t: TestApp) => t.http().get('/api/v1/statuses').set('Authorization', `Bearer ${key}`);
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => call(i % 2 ? first : second)));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 429, 429, 429, 429]);
      first.clock.advance(61_000);
      expect((await call(second)).status).toBe(200);
    });
  });

  it('counts requests refused for their input too, and answers them with the limit headers: a spent key gets nothing parsed', async () => {
    await withTwoInstances({ env: { API_RATE_LIMIT_PER_MINUTE: '3' }, sharedClock: true }, async (first, second, key) => {
      const bad = (t: TestApp) =>
        t.http().post('/api/v1/summary?x=%00').set('Authorization', `Bearer ${key}`).type('json').send('{"not json');
      const answers = [await bad(first), await bad(second), await bad(first), await bad(second)];
      expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 429]);
      expect(answers.map((a) => a.headers['x-ratelimit-remaining'])).toEqual(['2', '1', '0', '0']);
      expect(answers[3].headers['retry-after']).toMatch(/^\d+$/);
      expect(answers[3].headers['content-type']).toMatch(/^application\/problem\+json/);
    });
  });
});

describe('a busy key on two instances', () => {
  it('never passes its limit, and is refused early by at most the other instance\u2019s lease', async () => {
    // 90 a minute: each process claims 3 points at a time.
    await withTwoInstances({ env: { API_RATE_LIMIT_PER_MINUTE: '90' }, sharedClock: true }, async (first, second, key) => {
      const call = (t: TestApp) => t.http().get('/api/v1/statuses').set('Authorization', `Bearer ${key}`);
      const answers = await Promise.all(Array.from({ length: 120 }, (_, i) => call(i % 2 ? first : second)));
      const passed = answers.filter((a) => a.status === 200).length;
      expect(answers.filter((a) => a.status !== 200).every((a) => a.status === 429)).toBe(true);
      expect(passed).toBeLessThanOrEqual(90);
      expect(passed).toBeGreaterThanOrEqual(90 - 3);
    });
  });
});

/** The database settings of a running test app, for a second app on the same database. */
function databaseEnv(t: TestApp): Record<string, string> {
  return t.config.database.url ? { DATABASE_URL: t.config.database.url } : { SQLITE_PATH: t.config.database.sqlitePath };
}
