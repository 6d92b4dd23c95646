import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMember, createPartner } from '../factories';
import { createTestApp, type TestApp } from '../support/app';
import { postForm, signIn } from '../support/http';

const ERP = 'https://erp.example.com';

/** An owner's read key, made on the settings page. */
async function readKey(t: TestApp): Promise<string> {
  const owner = await createMember(t.em(), await createPartner(t.em()), { role: 'owner' });
  const agent = t.agent();
  await signIn(agent, owner.email, owner.password);
  const res = await postForm(agent, '/settings/api-keys', { name: 'Browser app', scope: 'read', expires: '' }, '/settings/api-keys/new');
  return /phk_live_\w+/.exec(res.text)![0];
}

const preflight = (t: TestApp, origin: string) =>
  t
    .http()
    .options('/api/v1/numbers')
    .set('Origin', origin)
    .set('Access-Control-Request-Method', 'GET')
    .set('Access-Control-Request-Headers', 'authorization');

describe('Partner API from a browser, for the origins API_CORS_ORIGINS names', () => {
  let t: TestApp;
  let key: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { API_CORS_ORIGINS: `${ERP},http://localhost:8080` } });
    key = await readKey(t);
  });
  afterAll(() => t.close());

  it('answers their preflight without a key, and lets them read the answer and its limit headers', async () => {
    const pre = await preflight(t, ERP);
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(ERP);
    expect(pre.headers['access-control-allow-headers']).toContain('Authorization');
    expect(pre.headers['access-control-allow-methods']).toContain('GET');
    expect(pre.headers['access-control-allow-credentials']).toBeUndefined();

    const res = await t.http().get('/api/v1/numbers').set('Origin', ERP).set('Authorization', `Bearer ${key}`);
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(ERP);
    expect(res.headers['access-control-expose-headers']).toContain('X-RateLimit-Remaining');
    // A refusal is readable too: the page can tell its person why.
    const refused = await t.http().get('/api/v1/numbers').set('Origin', ERP);
    expect([refused.status, refused.headers['access-control-allow-origin']]).toEqual([401, ERP]);
  });

  it('gives any other origin nothing to read, and the pages and the operator API no CORS at all', async () => {
    // Its preflight is a request without a key, as if no origin were configured.
    const pre = await preflight(t, 'https://evil.example');
    expect([pre.status, pre.headers['access-control-allow-origin']]).toEqual([401, undefined]);
    expect((await t.http().options('/api/v1/numbers')).status).toBe(401);
    const res = await t.http().get('/api/v1/numbers').set('Origin', 'https://evil.example').set('Authorization', `Bearer ${key}`);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    for (const path of ['/accounts', '/login', '/api/operator/v1/openapi.json']) {
      expect((await t.http().get(path).set('Origin', ERP)).headers['access-control-allow-origin'], path).toBeUndefined();
    }
  });
});

describe('Partner API from a browser, with no origins configured', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers no CORS at all: a preflight is a request without a key', async () => {
    const pre = await preflight(t, ERP);
    expect(pre.status).toBe(401);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    const res = await t
      .http()
      .get('/api/v1/numbers')
      .set('Origin', ERP)
      .set('Authorization', `Bearer ${await readKey(t)}`);
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
