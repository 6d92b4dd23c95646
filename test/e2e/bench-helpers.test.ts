import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createApiKey, resultsLine, revokeApiKey, rowIds, signIn } from '../../bench/lib/http';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createNumber } from '../factories/accounts';
import { createTestApp, type TestApp } from '../support/app';

/**
 * The bench drives the app through its pages as a person would (sign in, make and revoke a key
 * on the settings page) and reads the list's HTML. Nothing else runs that code between two
 * bench runs: a page that changed once broke the bench's Partner API section unnoticed. Here
 * the same helpers run against the real app.
 */
describe('the bench helpers, against the pages they drive', () => {
  let t: TestApp;
  let owner: MemberFixture;
  const ids: string[] = [];

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    const partner = await createPartner(t.em(), { name: 'Benchmarks' });
    owner = await createMember(t.em(), partner, { role: 'owner' });
    for (const [i, status] of (['live', 'error', 'suspended'] as const).entries()) {
      const number = await createNumber(t.em(), partner, { status, providerCreatedAt: new Date(Date.UTC(2026, 9, 1 + i)) });
      ids.unshift(number.id);
    }
  });
  afterAll(() => t.close());

  it('signs in, and reads the rows and the results line of the list', async () => {
    const cookie = await signIn(t.url, owner.email, owner.password);
    const all = await call(t.url, '/accounts', { headers: { cookie } });
    expect(rowIds(all.body)).toEqual(ids);
    const filtered = await call(t.url, '/accounts?lifecycle=error&lifecycle=suspended', { headers: { cookie } });
    expect(rowIds(filtered.body)).toEqual(ids.slice(0, 2));
    expect(resultsLine(filtered.body)).toMatch(/^2 numbers match/);
  });

  it('makes a key on the settings page, and revokes it there', async () => {
    const cookie = await signIn(t.url, owner.email, owner.password);
    const key = await createApiKey(t.url, cookie, 'bench key');
    const bearer = { authorization: `Bearer ${key}` };
    expect((await call(t.url, '/api/v1/statuses', { headers: bearer })).status).toBe(200);
    await revokeApiKey(t.url, cookie, 'bench key');
    expect((await call(t.url, '/api/v1/statuses', { headers: bearer })).status).toBe(401);
  });
});
