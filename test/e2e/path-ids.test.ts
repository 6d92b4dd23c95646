import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathParamShape } from '../../src/common/path-params.pipe';
import { createMember, createPartner } from '../factories';
import { createNumber } from '../factories/accounts';
import { createTestApp, type TestApp } from '../support/app';
import { csrfOf, signIn } from '../support/http';
import { registeredRoutes, type RegisteredRoute } from '../support/routes';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** `length` characters of the id alphabet, so only the length is wrong. */
const ofAlphabet = (length: number) => Array.from({ length }, (_, i) => ALPHABET[(i * 7) % ALPHABET.length]).join('');

/** Lengths of the well-formed values: ids are base64url of 16 bytes, tokens of 32. */
const LENGTH: Record<string, number> = { id: 22, token: 43 };
const kindOf = (name: string) => (name === 'token' ? 'token' : 'id');

/** Values as they go on the wire (already percent-encoded where a browser would encode). */
function hostileValues(kind: 'id' | 'token'): Record<string, string> {
  const n = LENGTH[kind];
  return {
    'a NUL byte': '%00',
    'a NUL byte inside a value of the right length': `${ofAlphabet(n - 1).slice(0, 5)}%00${ofAlphabet(n - 1).slice(5)}`,
    'an encoded percent sign': '%25',
    'a malformed percent-encoding': '%zz',
    'accented letters': '%C3%A9t%C3%A9',
    'an emoji': '%F0%9F%98%80',
    'an emoji in a value of the right length': `${ofAlphabet(n - 2)}%F0%9F%98%80`,
    'an overlong value of the right alphabet': ofAlphabet(200),
    'one character too short': ofAlphabet(n - 1),
    'one character too long': ofAlphabet(n + 1),
    'a standard-base64 character': `${ofAlphabet(n - 1)}+`,
    'a padding character': `${ofAlphabet(n - 1)}=`,
    'SQL in quotes': "1'%20or%20'1'%3D'1",
    'SQL after a semicolon': '1;drop%20table%20user',
    'an encoded path traversal': '..%2F..',
    // An id where a token belongs, and the other way round.
    'the other kind of value': ofAlphabet(kind === 'id' ? LENGTH.token : LENGTH.id),
  };
}

/** Hostile values that read as a damaged link on a token's route: a token cut short. */
const DAMAGED_LINKS = new Set(['one character too short', 'the other kind of value']);

/** The fields of the POST forms that have any: forms refuse unknown fields with 400. */
const FORMS: Record<string, Record<string, string>> = {
  'POST /users/:id/role': { role: 'member' },
  'POST /accounts/:id/revocation': { confirmation: '+49 151 00000000', reason: 'No longer needed' },
};

const paramsOf = (path: string) => [...path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]);
const fill = (path: string, value: (name: string) => string) => path.replace(/:([A-Za-z]+)/g, (_, name: string) => value(name));

/**
 * Every row of every table but the sessions (a request may push its idle expiry forward, and a
 * token link stashes the token's hash there by design) and those named in `ignore`, for
 * "nothing was written".
 */
async function snapshot(t: TestApp, ignore: string[] = []): Promise<Record<string, unknown[]>> {
  const em = t.em();
  const skip = new Set(['session', ...ignore]);
  const tables = Object.values(t.orm.getMetadata().getAll())
    .filter((meta) => !meta.embeddable && !meta.virtual && !meta.abstract && meta.tableName && !skip.has(meta.tableName))
    .map((meta) => meta.tableName)
    .sort();
  const rows: Record<string, unknown[]> = {};
  for (const table of tables) rows[table] = await em.getConnection().execute(`select * from "${table}" order by 1`);
  return rows;
}

describe('ids in a path', () => {
  let t: TestApp;
  let agent: ReturnType<TestApp['agent']>;
  let routes: RegisteredRoute[];
  let _csrf: string;

  beforeAll(async () => {
    t = await createTestApp();
    const partner = await createPartner(t.em());
    const owner = await createMember(t.em(), partner, { role: 'owner' });
    await createNumber(t.em(), partner);
    await createMember(t.em(), partner, { role: 'member' });
    agent = t.agent();
    await signIn(agent, owner.email, owner.password);
    _csrf = await csrfOf(agent, '/users');
    // The Partner API answers problem+json under its own rules (test/e2e/api-read.test.ts).
    routes = registeredRoutes(t).filter((r) => paramsOf(r.path).length > 0 && !r.path.startsWith('/api/'));
  });
  afterAll(() => t.close());

  /** A GET, or a POST of the route's form, valid enough to get as far as its lookup by id. */
  const send = (route: RegisteredRoute, path: string) =>
    route.method === 'GET'
      ? agent.get(path)
      : agent
          .post(path)
          .type('form')
          .send({ _csrf, ...FORMS[`${route.method} ${route.path}`] });

  it('knows a shape for every path parameter of every route', () => {
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining(['GET /accounts/:id', 'POST /users/:id/remove', 'GET /invitations/:token', 'GET /password/reset/:token']),
    );
    const names = new Set(routes.flatMap((r) => paramsOf(r.path)));
    expect([...names].filter((name) => !pathParamShape(name))).toEqual([]);
  });

  it('answers a malformed id or token with the 404 page on every route (a link cut short: its not-valid page), never a 5xx, and writes nothing', async () => {
    // Opening a damaged link counts against the IP's limit, as any link does (rate_limit).
    const before = await snapshot(t, ['rate_limit']);
    const wrong: unknown[] = [];
    for (const route of routes) {
      const kinds = new Set(paramsOf(route.path).map(kindOf));
      for (const kind of kinds) {
        for (const [what, value] of Object.entries(hostileValues(kind))) {
          const path = fill(route.path, (name) => (kindOf(name) === kind ? value : ofAlphabet(LENGTH[kindOf(name)])));
          const res = await send(route, path);
          // A link cut short (or an id where a token belongs) is still a link: it leads to the
          // page that says it is not valid (test/e2e/onboarding.test.ts).
          if (kind === 'token' && DAMAGED_LINKS.has(what)) {
            if (res.status !== 303 || (await agent.get(res.headers.location)).status !== 410) {
              wrong.push({ route: `${route.method} ${route.path}`, what, status: res.status });
            }
            continue;
          }
          // A malformed percent-encoding (`%zz`, which Express cannot decode) is no id either.
          if (res.status !== 404 || !res.text.includes('There is nothing at this address.')) {
            wrong.push({ route: `${route.method} ${route.path}`, what, status: res.status });
          }
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(await snapshot(t, ['rate_limit'])).toEqual(before);
  });

  it('answers an unknown well-formed id with 404, and stashes an unknown well-formed token only to find it invalid', async () => {
    // Opening a well-formed link counts against the IP's limit by design (rate_limit).
    const before = await snapshot(t, ['rate_limit']);
    const wrong: unknown[] = [];
    for (const route of routes) {
      const res = await send(
        route,
        fill(route.path, (name) => ofAlphabet(LENGTH[kindOf(name)])),
      );
      const tokenRoute = paramsOf(route.path).includes('token');
      // A token leaves the URL at once, unchecked: the page it leads to answers 410.
      const ok = tokenRoute ? res.status === 303 : res.status === 404 && res.text.includes('There is nothing at this address.');
      if (!ok) wrong.push({ route: `${route.method} ${route.path}`, status: res.status });
      if (tokenRoute && ok) expect((await agent.get(res.headers.location)).status).toBe(410);
    }
    expect(wrong).toEqual([]);
    expect(await snapshot(t, ['rate_limit'])).toEqual(before);
  });

  it("answers another partner's ids with 404 on every id route, changing nothing", async () => {
    const other = await createPartner(t.em(), { name: 'Other Partner' });
    const foreignNumber = await createNumber(t.em(), other);
    const foreignOwner = await createMember(t.em(), other, { role: 'owner' });
    const foreignInvite = await createMember(t.em(), other, { role: 'member', accepted: false });
    const foreignIds = [
      foreignNumber.id,
      foreignOwner.membership.id,
      foreignOwner.user.id,
      foreignInvite.membership.id,
      foreignInvite.user.id,
    ];
    const before = await snapshot(t);
    const wrong: unknown[] = [];
    for (const route of routes.filter((r) => !paramsOf(r.path).includes('token'))) {
      for (const id of foreignIds) {
        const res = await send(
          route,
          fill(route.path, () => id),
        );
        if (res.status !== 404) wrong.push({ route: `${route.method} ${route.path}`, id, status: res.status });
      }
    }
    expect(wrong).toEqual([]);
    expect(await snapshot(t)).toEqual(before);
  });
});
