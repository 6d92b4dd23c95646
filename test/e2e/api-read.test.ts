import { request } from 'node:http';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { Response } from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createNumber, createStatusChange } from '../factories/accounts';
import { createTestApp, type TestApp } from '../support/app';
import { postForm, signIn } from '../support/http';
import { HOSTILE_ENCODED as HOSTILE, MALFORMED_ESCAPES } from '../support/hostile';
import { ApiContract, type OpenApiDoc } from '../support/openapi-doc';
import { OperatorKeysService } from '../../src/operator-api/operator-keys.service';

/** A cursor as the app spells one (base64url JSON), holding what the test says. */
const cursorOf = (value: unknown[]) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('Partner API: reading', () => {
  let t: TestApp;
  let owner: MemberFixture;
  let contract: ApiContract;
  let key: string;
  let foreignKey: string;
  const ids: Record<string, string> = {};
  const foreign: Record<string, string> = {};

  async function keyFor(member: MemberFixture): Promise<string> {
    const agent = t.agent();
    await signIn(agent, member.email, member.password);
    const res = await postForm(agent, '/settings/api-keys', { name: 'Test', scope: 'read', expires: '' }, '/settings/api-keys/new');
    return /phk_live_\w+/.exec(res.text)![0];
  }

  const get = (path: string, bearer = key) => t.http().get(path).set('Authorization', `Bearer ${bearer}`);

  beforeAll(async () => {
    t = await createTestApp({ listen: true, env: { API_RATE_LIMIT_PER_MINUTE: '100000' } });
    const partner = await createPartner(t.em(), { name: 'Readers' });
    owner = await createMember(t.em(), partner);
    const a = await createNumber(t.em(), partner, { status: 'error', client: { name: 'Acme Logistics' } });
    const b = await createNumber(t.em(), partner, {
      client: a.client,
      waba: a.wabaAccount,
      providerCreatedAt: new Date('2026-10-02T12:00:00Z'),
    });
    await createNumber(t.em(), partner, { providerCreatedAt: new Date('2026-10-03T12:00:00Z') });
    await createStatusChange(t.em(), a, { from: 'created', to: 'running', changedAt: new Date('2026-10-01T12:00:00Z') });
    await createStatusChange(t.em(), a, { from: 'running', to: 'error' });
    Object.assign(ids, { number: a.id, client: a.client.id, other: b.id, providerA: a.providerId, providerB: b.providerId });
    key = await keyFor(owner);

    const other = await createPartner(t.em(), { name: 'Others' });
    const n = await createNumber(t.em(), other);
    Object.assign(foreign, { number: n.id, client: n.client.id, waba: n.wabaAccount.id, provider: n.providerId });
    foreignKey = await keyFor(await createMember(t.em(), other));

    const doc = (await t.http().get('/api/v1/openapi.json')).body as OpenApiDoc;
    contract = new ApiContract(doc);
  });
  afterAll(() => t.close());
  // Every answer of every test, against the document: not only those a test checks itself.
  afterEach(() => {
    contract.expectEvery(t.apiAnswers.splice(0));
  });

  it('publishes a valid OpenAPI 3.1 document naming every route', async () => {
    const res = await t.http().get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    // Public however the router's address is spelled.
    for (const spelled of ['/api/v1/OpenAPI.json', '/api/v1/openapi.json/', '/API/V1/OPENAPI.JSON/']) {
      const other = await t.http().get(spelled);
      expect([spelled, other.status, other.text]).toEqual([spelled, 200, res.text]);
    }
    // Reading it is public, sending it a body is not: nobody without a key makes the hub parse one.
    const sent = await t.http().put('/api/v1/openapi.json').set('Content-Type', 'application/json').send('{"not json');
    expect(sent.status).toBe(401);
    // Nor does a form: the pages' form parser never reads an API request.
    const form = await t
      .http()
      .post('/api/v1/summary')
      .type('form')
      .send(Array.from({ length: 300 }, (_, i) => `f${i}=${'x'.repeat(400)}`).join('&'));
    expect(form.status).toBe(401);
    // The rest of the API so spelled is still the API: a key first, and problems as JSON.
    const shouted = await t.http().get('/API/V1/Numbers');
    expect([shouted.status, shouted.headers['content-type']]).toEqual([401, 'application/problem+json; charset=utf-8']);
    const result = await new Validator().validate(res.body as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(Object.keys((res.body as OpenApiDoc).paths).sort()).toEqual(
      [
        '/clients',
        '/clients/{id}',
        '/numbers',
        '/numbers/export.csv',
        '/numbers/{id}',
        '/numbers/{id}/history',
        '/numbers/{id}/revocation',
        '/statuses',
        '/summary',
      ].sort(),
    );
    // A request whose Idempotency-Key another one holds is a 409 that says when to retry (a race the suite meets only at times).
    const post = (res.body as OpenApiDoc).paths['/numbers/{id}/revocation'].post;
    expect(post.responses['409'].headers?.['Retry-After']).toEqual({ $ref: '#/components/headers/RetryAfter' });
    // A read's 400 is a body that is not JSON; only a write's names the Idempotency-Key it needs.
    const doc400 = res.body as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { responses: Record<string, unknown> };
    };
    const examplesOf = (response: unknown) => {
      const ref = (response as { $ref?: string }).$ref;
      const resolved = (ref ? doc400.components.responses[ref.split('/').pop()!] : response) as {
        content: Record<string, { examples: Record<string, unknown> }>;
      };
      return Object.keys(resolved.content['application/problem+json'].examples);
    };
    expect(examplesOf(doc400.paths['/numbers'].get.responses['400'])).toEqual(['bad-request']);
    expect(examplesOf(doc400.paths['/numbers/{id}/revocation'].post.responses['400'])).toEqual([
      'bad-request',
      expect.stringMatching(/idempotency/),
      expect.stringMatching(/idempotency/),
    ]);
  });

  it('shows an example of every parameter and every answer, each valid against its schema and as the API answers', async () => {
    const doc = (await t.http().get('/api/v1/openapi.json')).body as OpenApiDoc;
    const contract = new ApiContract(doc);
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        for (const parameter of op.parameters ?? []) {
          const where = `${method} ${path} ${parameter.name}`;
          const [example] = parameter.schema.examples ?? [];
          expect(example, where).toBeDefined();
          contract.expectValid(parameter.schema, example, where);
          if (parameter.in === 'query') expect(parameter.description, where).toMatch(/Example: `[^`]+`\.$/);
        }
      }
    }
    const { examples, missing } = contract.examples();
    expect(missing, 'answers without an example').toEqual([]);
    expect(Object.keys(examples).length).toBeGreaterThan(50);

    // The examples of failures are the API's own answers, but for the request id.
    const answer = async (res: Response, example: string) => {
      const { request_id: requestId, ...body } = res.body as { request_id: string };
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(examples[example].map((e) => ({ ...(e as object), request_id: undefined }))).toContainEqual({
        ...body,
        request_id: undefined,
      });
    };
    await answer(await t.http().get('/api/v1/numbers'), 'get /numbers 401');
    await answer(await get('/api/v1/numbers', `phk_live_${'0'.repeat(17)}_${'0'.repeat(43)}`), 'get /numbers 401');
    await answer(await get('/api/v1/numbers?lifecycle=broken&limit=5000&colour=red'), 'get /numbers 422');
    await answer(await get(`/api/v1/numbers/${foreign.number}`), 'get /numbers/{id} 404');
    await answer(await get(`/api/v1/clients/${ids.client}?colour=red`), 'get /clients/{id} 422');
  });

  it('answers every read route with JSON that matches the document', async () => {
    const routes: [string, string][] = [
      ['/numbers', '/api/v1/numbers'],
      ['/numbers', '/api/v1/numbers?lifecycle=error&lifecycle=running&sort=phone&dir=desc&limit=1'],
      ['/numbers', '/api/v1/numbers?q=acme&attention=true'],
      ['/numbers', `/api/v1/numbers?client_id=${ids.client}&sort=on_behalf`],
      ['/numbers', `/api/v1/numbers?provider_id=${ids.providerA}`],
      ['/numbers/{id}', `/api/v1/numbers/${ids.number}`],
      ['/numbers/{id}/history', `/api/v1/numbers/${ids.number}/history`],
      ['/clients', '/api/v1/clients?limit=1'],
      ['/clients/{id}', `/api/v1/clients/${ids.client}`],
      ['/summary', '/api/v1/summary'],
      ['/statuses', '/api/v1/statuses'],
    ];
    for (const [template, path] of routes) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      contract.expect(res, 'GET', template);
    }
    const one = await get(`/api/v1/numbers/${ids.number}`);
    expect(one.body).toMatchObject({
      id: ids.number,
      statuses: { lifecycle: { code: 'error', label: 'Error' } },
      client: { id: ids.client, name: 'Acme Logistics' },
      needs_attention: true,
      revocation: null,
      // Meta's id, and its zone as the number page names it.
      waba_account: { timezone_id: 47, timezone: 'Europe/Berlin' },
    });
    expect((await get(`/api/v1/numbers/${ids.number}/history`)).body.data[0]).toMatchObject({ family: 'lifecycle', to: { code: 'error' } });
    // The newest `limit` changes, and whether older ones were left out.
    const all = (await get(`/api/v1/numbers/${ids.number}/history`)).body as { data: unknown[]; has_more: boolean };
    expect(all.has_more).toBe(false);
    const cut = (await get(`/api/v1/numbers/${ids.number}/history?limit=${all.data.length - 1}`)).body as typeof all;
    expect(cut).toEqual({ data: all.data.slice(0, -1), has_more: true });
    expect((await get(`/api/v1/numbers/${ids.number}/history?limit=${all.data.length}`)).body).toEqual(all);
  });

  it('walks the numbers and the clients with next_cursor until has_more is false', async () => {
    const seen: string[] = [];
    let path = '/api/v1/numbers?limit=2&sort=created&dir=asc';
    for (let i = 0; i < 5; i++) {
      const res = await get(path);
      contract.expect(res, 'GET', '/numbers');
      seen.push(...(res.body.data as { id: string }[]).map((n) => n.id));
      if (!res.body.has_more) break;
      path = `/api/v1/numbers?limit=2&sort=created&dir=asc&cursor=${res.body.next_cursor as string}`;
    }
    expect(seen).toHaveLength(3);
    expect(new Set(seen).size).toBe(3);
    const first = await get('/api/v1/clients?limit=1');
    const second = await get(`/api/v1/clients?limit=1&cursor=${first.body.next_cursor as string}`);
    contract.expect(second, 'GET', '/clients');
    expect(second.body.data[0].id).not.toBe(first.body.data[0].id);
  });

  it("looks numbers up by the provider's channel ids, exactly, and only the partner's own", async () => {
    const listed = async (query: string) => {
      const res = await get(`/api/v1/numbers?${query}`);
      expect(res.status, query).toBe(200);
      contract.expect(res, 'GET', '/numbers');
      return (res.body.data as { id: string }[]).map((n) => n.id).sort();
    };
    expect(await listed(`provider_id=${ids.providerA}&provider_id=${ids.providerB}`)).toEqual([ids.number, ids.other].sort());
    // With the other filters: every one of them applies.
    expect(await listed(`provider_id=${ids.providerA}&provider_id=${ids.providerB}&lifecycle=error`)).toEqual([ids.number]);
    // Exact: a part of an id, or another partner's, matches nothing.
    expect(await listed(`provider_id=${ids.providerA.slice(0, -1)}`)).toEqual([]);
    expect(await listed(`provider_id=${foreign.provider}`)).toEqual([]);
  });

  it('refuses unknown query parameters and bad values with 422 naming the field', async () => {
    for (const [path, field] of [
      ['/api/v1/numbers?colour=red', 'colour'],
      ['/api/v1/numbers?limit=501', 'limit'],
      ['/api/v1/numbers?limit=0', 'limit'],
      ['/api/v1/numbers?lifecycle=removed', 'lifecycle.0'],
      ['/api/v1/numbers?sort=price', 'sort'],
      ['/api/v1/numbers?attention=false', 'attention'],
      [`/api/v1/numbers?provider_id=${'C'.repeat(65)}`, 'provider_id.0'],
      [`/api/v1/numbers?${Array.from({ length: 101 }, (_, i) => `provider_id=CH${i}`).join('&')}`, 'provider_id'],
      ['/api/v1/numbers?cursor=bm9wZQ', 'cursor'],
      // Cursors of the right shape with keys PostgreSQL cannot compare: a NUL in text, year 0.
      [`/api/v1/numbers?sort=phone&cursor=${cursorOf(['phone', 'asc', '+49\u0000', ids.number, 1])}`, 'cursor'],
      [`/api/v1/numbers?cursor=${cursorOf(['created', 'desc', '0000-01-01T00:00:00.000Z', ids.number, 1])}`, 'cursor'],
      [`/api/v1/numbers?cursor=${cursorOf(['created', 'desc', '2026-02-30T00:00:00.000Z', ids.number, 1])}`, 'cursor'],
      ['/api/v1/clients?cursor=bm9wZQ', 'cursor'],
      ['/api/v1/summary?x=1', 'x'],
      ['/api/v1/numbers?__proto__=x', '__proto__'],
      [`/api/v1/numbers/${ids.number}?expand=all`, 'expand'],
    ] as const) {
      const res = await get(path);
      expect(res.status, path).toBe(422);
      expect(res.body.errors, path).toContainEqual(expect.objectContaining({ field }));
      contract.expect(res, 'GET', new URL(path, 'http://x').pathname.replace('/api/v1', '').replace(ids.number, '{id}'));
    }
  });

  it('says how to send several values where a comma list or lifecycle[] was sent', async () => {
    const comma = await get('/api/v1/numbers?lifecycle=error,suspended');
    expect(comma.status).toBe(422);
    expect(comma.body.errors[0].field).toBe('lifecycle.0');
    expect(comma.body.errors[0].message).toMatch(
      /^Must be one of: .*\. For several, repeat the parameter: lifecycle=error&lifecycle=suspended\.$/,
    );
    const brackets = await get('/api/v1/numbers?lifecycle[]=error');
    expect(brackets.body.errors).toEqual([
      { field: 'lifecycle[]', message: 'Unexpected parameter: send it as lifecycle, repeated for several values.' },
    ]);
    contract.expect(brackets, 'GET', '/numbers');
    expect((await get('/api/v1/numbers?colour[]=red')).body.errors).toEqual([{ field: 'colour[]', message: 'Unexpected parameter.' }]);
  });

  it('answers 401 with WWW-Authenticate for a missing, malformed or unknown key, and ignores a signed-in session', async () => {
    const agent = t.agent();
    await signIn(agent, owner.email, owner.password);
    expect((await agent.get('/accounts')).status).toBe(200);
    const withCookie = await agent.get('/api/v1/numbers');
    const unknown = `phk_live_${'0'.repeat(17)}_${'0'.repeat(43)}`;
    for (const res of [
      withCookie,
      await t.http().get('/api/v1/numbers'),
      await t.http().get('/api/v1/numbers').set('Authorization', `Basic ${key}`),
      await get('/api/v1/numbers', unknown),
      // The secret's last character changed (to another one: a random key may end in x).
      await get('/api/v1/numbers', `${key.slice(0, -1)}${key.endsWith('x') ? 'y' : 'x'}`),
      // Whatever else it sends: nothing is read of a request no key lets in.
      await t.http().get('/api/v1/numbers?q=%00'),
      await get('/api/v1/numbers?lifecycle=nope&surprise=1', unknown),
      await t.http().get('/api/v1/numbers').type('json').send('{"broken'),
      await t.http().get('/api/v1/numbers').type('text/plain').send('text'),
      await t
        .http()
        .get('/api/v1/numbers')
        .type('json')
        .send(JSON.stringify({ big: 'x'.repeat(1_100_000) })),
    ]) {
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="partner-hub"/);
      contract.expect(res, 'GET', '/numbers');
    }
    expect(withCookie.headers['set-cookie']).toBeUndefined();
    // RFC 6750 §3.1: no error code when no key was sent, invalid_token when one was refused.
    expect((await t.http().get('/api/v1/numbers')).headers['www-authenticate']).toBe('Bearer realm="partner-hub"');
    expect((await get('/api/v1/numbers', unknown)).headers['www-authenticate']).toBe('Bearer realm="partner-hub", error="invalid_token"');
    // A header that cannot be read says how to send one, as invalid_request: no key was judged.
    for (const authorization of [`Basic ${key}`, 'Bearer', `Token ${key}`]) {
      const res = await t.http().get('/api/v1/numbers').set('Authorization', authorization);
      expect(res.body.detail, authorization).toBe('Use the Bearer scheme: Authorization: Bearer phk_live_….');
      expect(res.headers['www-authenticate'], authorization).toBe('Bearer realm="partner-hub", error="invalid_request"');
    }
  });

  it('reads the scheme in any case, and opens nothing for a request with two Authorization headers', async () => {
    for (const scheme of ['bearer', 'BEARER', 'Bearer ']) {
      expect((await t.http().get('/api/v1/statuses').set('Authorization', `${scheme} ${key}`)).status, scheme).toBe(200);
    }
    const unknown = `phk_live_${'0'.repeat(17)}_${'0'.repeat(43)}`;
    for (const [first, second] of [
      [key, unknown],
      [unknown, key],
      [key, key],
    ]) {
      const res = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
        const req = request(
          `${t.url}/api/v1/statuses`,
          { headers: ['Host', new URL(t.url).host, 'Authorization', `Bearer ${first}`, 'Authorization', `Bearer ${second}`] },
          (r) => {
            let body = '';
            r.on('data', (chunk: Buffer) => (body += chunk.toString()));
            r.on('end', () => resolve({ status: r.statusCode!, type: String(r.headers['content-type']), body }));
          },
        );
        req.on('error', reject).end();
      });
      expect(res.status).toBe(401);
      expect(res.type).toMatch(/^application\/problem\+json/);
      expect((JSON.parse(res.body) as { detail: string }).detail).toBe('Send one Authorization header: this request has several.');
    }
  });

  it('answers 404 for every id of another partner on every route, and for unknown routes, as problem+json', async () => {
    const before = await dataRows(t);
    for (const [template, kinds] of [
      ['/numbers/{id}', ['number', 'client', 'waba']],
      ['/numbers/{id}/history', ['number', 'client', 'waba']],
      ['/clients/{id}', ['client', 'number', 'waba']],
    ] as const) {
      for (const kind of kinds) {
        const res = await get(`/api/v1${template.replace('{id}', foreign[kind])}`);
        expect(res.status, `${template} ${kind}`).toBe(404);
        contract.expect(res, 'GET', template);
      }
    }
    expect((await get(`/api/v1/numbers?client_id=${foreign.client}`)).body.data).toEqual([]);
    // The other partner's key sees none of ours either.
    expect((await get(`/api/v1/numbers/${ids.number}`, foreignKey)).status).toBe(404);
    const unknownRoute = await get('/api/v1/nothing-here');
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(unknownRoute.body).toMatchObject({ status: 404, title: 'Not found' });
    expect(unknownRoute.body.detail).toContain('/api/docs');
    // The API's root too: it points at the reference.
    expect((await get('/api/v1')).body.detail).toContain('/api/docs');
    expect(await dataRows(t)).toEqual(before);
  });

  it('refuses a body on a read as on a write, each answer as its document says: 400, 413, 415', async () => {
    const before = await dataRows(t);
    const read = () => t.http().get('/api/v1/numbers').set('Authorization', `Bearer ${key}`);
    const broken = await read().type('json').send('{"broken');
    const huge = await read()
      .type('json')
      .send(JSON.stringify({ big: 'x'.repeat(1_100_000) }));
    const text = await read().type('text/plain').send('text');
    expect([broken.status, huge.status, text.status]).toEqual([400, 413, 415]);
    for (const res of [broken, huge, text]) contract.expect(res, 'GET', '/numbers');
    expect(await dataRows(t)).toEqual(before);
  });

  it('answers a method an address does not answer with 405 and Allow, and an unknown id under an allowed method with 404', async () => {
    const { key: operatorKey } = await t.app.get(OperatorKeysService).create({ name: 'provider sync', expiresAt: null });
    const before = await dataRows(t);
    for (const [method, path, allow] of [
      ['post', '/api/v1/numbers', 'GET, HEAD'],
      ['delete', `/api/v1/numbers/${ids.number}`, 'GET, HEAD'],
      ['put', `/api/v1/numbers/${ids.number}/revocation`, 'DELETE, POST'],
      ['patch', '/api/v1/NUMBERS/', 'GET, HEAD'],
      ['post', '/api/v1/openapi.json', 'GET, HEAD'],
      ['get', `/api/operator/v1/partners/${ids.number}/channels`, 'PUT'],
    ] as const) {
      // Each API's own key: another key is a 401 there before anything else.
      const bearer = path.startsWith('/api/operator/') ? operatorKey : key;
      const res = await t.http()[method](path).set('Authorization', `Bearer ${bearer}`);
      expect([res.status, res.headers.allow], `${method} ${path}`).toEqual([405, allow]);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({
        type: expect.stringMatching(/#problem-method-not-allowed$/),
        status: 405,
        detail: `This address answers ${allow}.`,
      });
    }
    expect((await get(`/api/v1/numbers/${'Z'.repeat(22)}`)).status).toBe(404);
    expect((await get('/api/v1/nothing-here')).headers.allow).toBeUndefined();
    // A partner's key on the operator's API, whatever the method.
    const partnerKeyThere = await t.http().get(`/api/operator/v1/partners/${ids.number}/channels`).set('Authorization', `Bearer ${key}`);
    expect(partnerKeyThere.status).toBe(401);
    expect(await dataRows(t)).toEqual(before);
  });

  it('answers an id with a malformed escape as an unknown id: the 404 problem the document gives', async () => {
    for (const value of MALFORMED_ESCAPES) {
      for (const template of ['/numbers/{id}', '/numbers/{id}/history', '/clients/{id}']) {
        const res = await get(`/api/v1${template.replace('{id}', value)}`);
        expect([res.status, res.body.type], `${template} ${value}`).toEqual([404, '/api/docs#problem-not-found']);
        contract.expect(res, 'GET', template);
      }
    }
  });

  it('never answers hostile input on any parameter with a 5xx, a stack or SQL', async () => {
    const paths = (v: string) => [
      `/api/v1/numbers/${v}`,
      `/api/v1/numbers/${v}/history`,
      `/api/v1/clients/${v}`,
      ...[
        'q',
        'lifecycle',
        'waba',
        'verification',
        'on_behalf',
        'registration',
        'consent',
        'billing',
        'attention',
        'client_id',
        'provider_id',
        'sort',
        'dir',
        'limit',
        'cursor',
      ].map((p) => `/api/v1/numbers?${p}=${v}`),
      `/api/v1/numbers/${ids.number}/history?limit=${v}`,
      `/api/v1/clients?cursor=${v}`,
      `/api/v1/clients?limit=${v}`,
      `/api/v1/statuses?${v}=1`,
    ];
    const wrong: unknown[] = [];
    for (const value of [...HOSTILE, ...MALFORMED_ESCAPES]) {
      for (const path of paths(value)) {
        const res = await get(path);
        const leaks = /at .*\.(ts|js):\d|select |sqlite|postgres|\/work\//i.test(res.text);
        if (res.status >= 500 || leaks || !String(res.headers['content-type']).startsWith('application/'))
          wrong.push({ path, status: res.status });
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers a NUL byte in a parameter with 422 naming it', async () => {
    const res = await get('/api/v1/numbers?q=%00');
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ field: 'q', message: 'Contains a NUL character, which is not allowed.' }]);
    contract.expect(res, 'GET', '/numbers');
  });

  it('answers a body that is not JSON with a 400 problem', async () => {
    const res = await t
      .http()
      .post('/api/v1/numbers')
      .set('Authorization', `Bearer ${key}`)
      .set('Content-Type', 'application/json')
      .send('{"a":');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, detail: 'The request body is not valid JSON.' });
  });

  it('validated every answer of this suite against the document', () => {
    // Each answer its tests made, recorded and checked after each test: the recorder works.
    expect(contract.every.checked).toBeGreaterThan(400);
    expect(contract.every.checked / contract.every.recorded).toBeGreaterThan(0.95);
  });
});

/** The partners' data, for "nothing changed" (a key's first use is in Activity by design). */
async function dataRows(t: TestApp): Promise<unknown[]> {
  const conn = t.em().getConnection();
  const tables = ['whatsapp_number', 'client', 'waba_account', 'number_status_change', 'revocation', 'partner'];
  return Promise.all(tables.map((table) => conn.execute(`select * from ${table} order by id`)));
}

describe('Partner API: the per-key limit', () => {
  it('counts the key’s minute down in X-RateLimit-Remaining, one a request, across the process’s leases', async () => {
    const t = await createTestApp({ env: { API_RATE_LIMIT_PER_MINUTE: '600' } });
    try {
      const partner = await createPartner(t.em());
      const agent = t.agent();
      const owner = await createMember(t.em(), partner);
      await signIn(agent, owner.email, owner.password);
      const made = await postForm(agent, '/settings/api-keys', { name: 'Counted', scope: 'read', expires: '' }, '/settings/api-keys/new');
      const k = /phk_live_\w+/.exec(made.text)![0];
      const remaining: number[] = [];
      const resets = new Set<string>();
      // 45 requests: more than two of the process's leases of 20.
      for (let i = 0; i < 45; i++) {
        const res = await t.http().get('/api/v1/statuses').set('Authorization', `Bearer ${k}`).expect(200);
        expect(res.headers['x-ratelimit-limit']).toBe('600');
        remaining.push(Number(res.headers['x-ratelimit-remaining']));
        resets.add(res.headers['x-ratelimit-reset'] as string);
      }
      expect(remaining).toEqual(Array.from({ length: 45 }, (_, i) => 599 - i));
      // One window: its end, in Unix seconds, within the next minute.
      expect(resets.size).toBe(1);
      const reset = Number([...resets][0]) * 1000;
      expect(reset).toBeGreaterThan(t.clock.now().getTime());
      expect(reset).toBeLessThanOrEqual(t.clock.now().getTime() + 61_000);
    } finally {
      await t.close();
    }
  });

  it('answers 429 with Retry-After past API_RATE_LIMIT_PER_MINUTE, per key', async () => {
    const t = await createTestApp({ env: { API_RATE_LIMIT_PER_MINUTE: '3' } });
    try {
      const partner = await createPartner(t.em());
      const owner = await createMember(t.em(), partner);
      const agent = t.agent();
      await signIn(agent, owner.email, owner.password);
      const keys: string[] = [];
      for (const name of ['One', 'Two']) {
        const res = await postForm(agent, '/settings/api-keys', { name, scope: 'read', expires: '' }, '/settings/api-keys/new');
        keys.push(/phk_live_\w+/.exec(res.text)![0]);
      }
      const call = (k: string) => t.http().get('/api/v1/statuses').set('Authorization', `Bearer ${k}`);
      for (let i = 0; i < 3; i++) expect((await call(keys[0])).status).toBe(200);
      const refused = await call(keys[0]);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect((await call(keys[1])).status).toBe(200);
      t.clock.advance(61_000);
      expect((await call(keys[0])).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('Partner API: reference docs', () => {
  it('serves swagger-ui from the installed package under the site CSP, with its own init script', async () => {
    const t = await createTestApp();
    try {
      const page = await t.http().get('/api/docs');
      expect(page.status).toBe(200);
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.text).not.toMatch(/<script>(?!<)/);
      expect(page.text).toContain('src="/api/docs/init.js"');
      for (const asset of ['/api/docs/init.js', '/api/docs/swagger-ui-bundle.js', '/api/docs/swagger-ui.css', '/api/docs/docs.css']) {
        expect((await t.http().get(asset)).status, asset).toBe(200);
      }
    } finally {
      await t.close();
    }
  });
});
