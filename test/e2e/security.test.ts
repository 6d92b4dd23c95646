import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { csrfFrom, csrfOf, postForm, signIn } from '../support/http';
import { registeredRoutes } from '../support/routes';
import { createNumber } from '../factories/accounts';

/**
 * The one explicit list of routes that need no signed-in member. Every other registered
 * route must send a signed-out visitor to the sign-in page.
 */
const PUBLIC_ROUTES = new Set([
  'GET /',
  'GET /login',
  'POST /login',
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
  'GET /invitations/:token',
  'GET /invitations',
  'POST /invitations',
  'GET /password/forgot',
  'POST /password/forgot',
  'GET /password/reset/:token',
  'GET /password/reset',
  'POST /password/reset',
  // The APIs' documents and reference pages are public; their routes answer 401 problems
  // (api-read.test.ts, operator-api.test.ts).
  'GET /api/v1/openapi.json',
  'GET /api/operator/v1/openapi.json',
  'GET /api/docs',
  'GET /api/operator/docs',
  'GET /api/docs/init.js',
  'GET /api/docs/swagger-ui.css',
  'GET /api/docs/docs.css',
  'GET /api/docs/swagger-ui-bundle.js',
]);

/**
 * Where a signed-out visitor is sent: a page one opens (GET) carries itself as `next`, so that
 * signing in leads there; the landing page and forms go to the plain sign-in page.
 */
function signInLocation(method: string, path: string): string {
  return method === 'GET' && path !== '/accounts' ? `/login?next=${encodeURIComponent(path)}` : '/login';
}

/** What the test app logged, one object per line. */
function logLines(t: TestApp): Record<string, unknown>[] {
  return t.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('deny by default', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('sends a signed-out visitor to sign in on every registered route that is not on the public list', async () => {
    const routes = registeredRoutes(t);
    // The list names only real routes, so it cannot silently grow stale.
    const registered = new Set(routes.map((r) => `${r.method} ${r.path}`));
    expect([...PUBLIC_ROUTES].filter((r) => !registered.has(r))).toEqual([]);
    const guarded = routes.filter((r) => !PUBLIC_ROUTES.has(`${r.method} ${r.path}`) && !/^\/api\/(operator\/)?v1\//.test(r.path));
    expect(guarded.length).toBeGreaterThan(0);
    const agent = t.agent();
    const _csrf = await csrfOf(agent, '/login');
    for (const route of guarded) {
      const path = route.path.replace(/:[a-zA-Z]+/g, 'AAAAAAAAAAAAAAAAAAAAAA');
      const res = route.method === 'GET' ? await agent.get(path) : await agent.post(path).type('form').send({ _csrf });
      expect({ route: `${route.method} ${route.path}`, status: res.status, location: res.headers.location }).toEqual({
        route: `${route.method} ${route.path}`,
        status: 303,
        location: signInLocation(route.method, path),
      });
    }
  });

  it('opens every page with a NUL byte in its query as without it (a search’s is its field’s error), never a 400 or a 5xx; a form’s and the APIs’ are still refused', async () => {
    const partner = await createPartner(t.em());
    const owner = await createMember(t.em(), partner, { role: 'owner' });
    const agent = t.agent();
    await signIn(agent, owner.email, owner.password);
    // Every page one opens without an id, with the parameters pages read (and one none does) holding a NUL; downloads refuse it.
    const pages = registeredRoutes(t).filter(
      (r) => r.method === 'GET' && !r.path.includes(':') && !r.path.startsWith('/api/') && !/\.(csv|xlsx)$/.test(r.path),
    );
    expect(pages.length).toBeGreaterThan(10);
    const query = ['q', 'next', 'back', 'person', 'kind', 'from', 'after', 'sort', 'signed_out', 'x'].map((k) => `${k}=a%00b`).join('&');
    for (const { path } of pages) {
      for (const who of [agent, t.agent()]) {
        const res = await who.get(`${path}?${query}`);
        expect([path, res.status < 500 && res.status !== 400]).toEqual([path, true]);
      }
    }
    expect((await agent.get('/accounts?q=%00')).status).toBe(422);
    expect((await agent.get('/activity?kind=%00')).status).toBe(422);
    expect((await postForm(agent, '/profile/password?x=%00', {}, '/profile')).status).toBe(400);
    expect((await t.http().get('/api/v1/numbers?q=%00')).status).toBe(401); // the key is read first: api-read.test.ts sends a NUL with one
  });

  it('opens every page of an id with a NUL byte in its query as it opens it without one: never a 5xx, and a 400 only where the same query without it is one', async () => {
    const partner = await createPartner(t.em());
    const owner = await createMember(t.em(), partner, { role: 'owner' });
    const colleague = await createMember(t.em(), partner, { role: 'member' });
    const number = await createNumber(t.em(), partner);
    const agent = t.agent();
    await signIn(agent, owner.email, owner.password);
    const ids: Record<string, string> = { accounts: number.id, clients: number.client.id, users: colleague.membership.id };
    const pages = registeredRoutes(t)
      .filter((r) => r.method === 'GET' && r.path.includes(':') && !r.path.startsWith('/api/'))
      .map((r) => ({ route: r.path, id: ids[r.path.split('/')[1]] }))
      .filter((p) => p.id);
    expect(pages.length).toBeGreaterThan(5);
    const params = ['q', 'back', 'cursor', 'dir', 'sort', 'lifecycle', 'size', 'layout', 'list', 'role', 'x'];
    const query = (value: string) => params.map((k) => `${k}=${value}`).join('&');
    for (const { route, id } of pages) {
      const path = route.replace(/:[a-z]+/i, id);
      const clean = (await agent.get(`${path}?${query('ab')}`)).status;
      const res = await agent.get(`${path}?${query('a%00b')}`);
      expect([path, res.status < 500 && (res.status !== 400 || clean === 400)]).toEqual([path, true]);
    }
  });

  it('marks signed-in pages Cache-Control: no-store, without an ETag; static files keep theirs', async () => {
    const partner = await createPartner(t.em());
    const m = await createMember(t.em(), partner);
    const agent = t.agent();
    await signIn(agent, m.email, m.password);
    const res = await agent.get('/accounts');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.etag).toBeUndefined();
    expect((await agent.get('/public/css/app.css')).headers.etag).toBeTruthy();
  });

  it('reports liveness always and readiness only with no pending migration, saying only ready or not', async () => {
    const fresh = await createTestApp({ migrate: false });
    const notReadyLines = () => logLines(fresh).filter((l) => l.event === 'readiness.not_ready');
    try {
      expect((await fresh.http().get('/healthz')).status).toBe(200);
      const notReady = await fresh.http().get('/readyz');
      expect(notReady.status).toBe(503);
      expect(notReady.body).toEqual({ status: 'not ready' });
      // The reason goes to the log, as a warning, not to whoever asks.
      expect(notReadyLines()).toHaveLength(1);
      expect(notReadyLines()[0]).toMatchObject({ level: 40, reason: 'pending migrations' });
      expect((notReadyLines()[0].pendingMigrations as string[]).length).toBeGreaterThan(0);
      // Probed every few seconds: the same reason is not logged again at once.
      expect((await fresh.http().get('/readyz')).status).toBe(503);
      expect(notReadyLines()).toHaveLength(1);

      await fresh.orm.getMigrator().up();
      const ready = await fresh.http().get('/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ready' });

      await fresh.orm.close(true);
      const down = await fresh.http().get('/readyz');
      expect(down.status).toBe(503);
      expect(down.body).toEqual({ status: 'not ready' });
      expect(notReadyLines().at(-1)).toMatchObject({ level: 40, reason: 'database unreachable' });
    } finally {
      await fresh.close();
    }
  });
});

describe('cross-site request forgery', () => {
  let t: TestApp;
  let member: MemberFixture;
  beforeAll(async () => {
    t = await createTestApp();
    member = await createMember(t.em(), await createPartner(t.em()));
  });
  afterAll(() => t.close());

  it('refuses a sign-in without the form token, or with another session’s token', async () => {
    // Without a session no token can match: the sign-in page again, where signing in is what it offers.
    const sessionless = t.agent();
    const noSession = await sessionless.post('/login').type('form').send({ email: member.email, password: member.password });
    expect([noSession.status, noSession.headers.location]).toEqual([303, '/login']);
    expect((await sessionless.get('/accounts')).headers.location).toBe('/login');
    const withSession = t.agent();
    await withSession.get('/login');
    const noToken = await withSession.post('/login').type('form').send({ email: member.email, password: member.password });
    expect(noToken.status).toBe(403);
    const otherToken = await csrfOf(t.agent(), '/login');
    const agent = t.agent();
    await agent.get('/login');
    const res = await agent.post('/login').type('form').send({ _csrf: otherToken, email: member.email, password: member.password });
    expect(res.status).toBe(403);
    expect(res.text).toContain('This form has expired');
  });

  it('refuses a POST a browser marks cross-site, or from a foreign Origin, even with the right token', async () => {
    const agent = t.agent();
    const _csrf = await csrfOf(agent, '/login');
    const crossSite = await agent
      .post('/login')
      .set('Sec-Fetch-Site', 'cross-site')
      .type('form')
      .send({ _csrf, email: member.email, password: member.password });
    expect(crossSite.status).toBe(403);
    const foreign = await agent
      .post('/login')
      .set('Origin', 'https://evil.example')
      .type('form')
      .send({ _csrf, email: member.email, password: member.password });
    expect(foreign.status).toBe(403);
    const sameOrigin = await agent
      .post('/login')
      .set('Origin', t.config.baseUrl)
      .set('Sec-Fetch-Site', 'same-origin')
      .type('form')
      .send({ _csrf, email: member.email, password: member.password });
    expect(sameOrigin.status).toBe(303);
  });

  it('accepts the opaque Origin a no-referrer page sends only when the browser vouches it is same-origin', async () => {
    const agent = t.agent();
    const _csrf = await csrfOf(agent, '/login');
    const send = (headers: Record<string, string>) =>
      agent.post('/login').set(headers).type('form').send({ _csrf, email: member.email, password: member.password });
    expect((await send({ Origin: 'null' })).status).toBe(403);
    expect((await send({ Origin: 'null', 'Sec-Fetch-Site': 'same-site' })).status).toBe(403);
    expect((await send({ Origin: 'null', 'Sec-Fetch-Site': 'same-origin' })).status).toBe(303);
  });

  it('logs each rejection as a security event with its reason and the response’s request id', async () => {
    const noSession = await t.agent().post('/login').type('form').send({ email: member.email, password: member.password });
    const agent = t.agent();
    const _csrf = await csrfOf(agent, '/login');
    const noToken = await agent.post('/login').type('form').send({ email: member.email, password: member.password });
    const crossSite = await agent
      .post('/login')
      .set('Sec-Fetch-Site', 'cross-site')
      .type('form')
      .send({ _csrf, email: member.email, password: member.password });
    for (const [res, reason, status] of [
      [noSession, 'session ended', 303],
      [noToken, 'missing or wrong token', 403],
      [crossSite, 'cross-site request', 403],
    ] as const) {
      expect(res.status).toBe(status);
      const requestId = res.headers['x-request-id'];
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      const lines = logLines(t).filter((l) => l.requestId === requestId && l.event !== 'http.request');
      expect(lines).toEqual([
        expect.objectContaining({ level: 40, security: true, event: 'csrf.rejected', reason, method: 'POST', path: '/login' }),
      ]);
      // The form is not logged: neither the password nor the form token.
      expect(JSON.stringify(lines)).not.toContain(member.password);
      expect(JSON.stringify(lines)).not.toContain(_csrf);
    }
  });

  it('refuses to log out without the token, leaving the session signed in', async () => {
    const agent = t.agent();
    await signIn(agent, member.email, member.password);
    expect((await agent.post('/logout').type('form').send({})).status).toBe(403);
    expect((await agent.get('/accounts')).status).toBe(200);
  });
});

describe('permission denials', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('logs a member refused an owner-only page as a security event with the response’s request id', async () => {
    const partner = await createPartner(t.em());
    const m = await createMember(t.em(), partner, { role: 'member' });
    const agent = t.agent();
    await signIn(agent, m.email, m.password);
    const res = await agent.get('/users/new');
    expect(res.status).toBe(403);
    const requestId = res.headers['x-request-id'];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(logLines(t).filter((l) => l.requestId === requestId && l.event !== 'http.request')).toEqual([
      expect.objectContaining({
        level: 40,
        security: true,
        event: 'access.denied',
        status: 403,
        method: 'GET',
        path: '/users/new',
        userId: m.user.id,
      }),
    ]);
  });
});

describe('bad input', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  async function post(body: string) {
    const agent = t.agent();
    const _csrf = await csrfOf(agent, '/login');
    return agent
      .post('/login')
      .type('form')
      .send(`_csrf=${encodeURIComponent(_csrf)}&${body}`);
  }

  it.each([
    ['a body over 100 kB', `email=${'a'.repeat(110_000)}&password=x`, 413],
    ['an array where one value is expected', 'email[]=a@b.example&password=x', 400],
    ['a repeated field', 'email=a@b.example&email=c@d.example&password=x', 400],
    ['an unknown field', 'email=a@b.example&password=x&role=owner', 400],
    ['a NUL byte', 'email=a%00@b.example&password=x', 400],
  ])('answers %s with a clear 4xx page, never a 500', async (_what, body, status) => {
    const res = await post(body);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('re-renders an empty sign-in form with 422', async () => {
    const res = await post('email=&password=');
    expect(res.status).toBe(422);
    expect(res.text).toContain('Enter your email and password.');
  });

  it('answers an unknown page with the 404 page', async () => {
    const res = await t.http().get('/no/such/page');
    expect(res.status).toBe(404);
    expect(res.text).toContain('Page not found');
  });

  it('never shows the form token in a redirect or leaks it across pages', async () => {
    const agent = t.agent();
    const page = await agent.get('/login');
    expect(csrfFrom(page.text)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(page.headers.location).toBeUndefined();
  });
});

describe('posting forms', () => {
  it('postForm reads the token from the page it posts to', async () => {
    const t = await createTestApp();
    try {
      const res = await postForm(t.agent(), '/login', { email: 'x@example.com', password: 'nope nope nope' });
      expect(res.status).toBe(422);
    } finally {
      await t.close();
    }
  });
});
