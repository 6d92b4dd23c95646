import type { Test } from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../src/audit/entities/audit-event.entity';
import type { Partner } from '../../src/partners/entities/partner.entity';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createNumber } from '../factories/accounts';
import { createRevocation } from '../factories/revocations';
import { createTestApp, type TestApp } from '../support/app';
import { HOUR, MINUTE } from '../support/clock';
import { postForm, signIn } from '../support/http';
import { HOSTILE_ENCODED as HOSTILE } from '../support/hostile';
import { ApiContract, type OpenApiDoc } from '../support/openapi-doc';

const PATH = '/numbers/export.csv';
/** Four numbers: three healthy, one in error; an open revocation on one of them. */
const ROWS = 4;

/** The body as raw bytes, whatever its type: the BOM and every CRLF count. */
const raw = (req: Test) =>
  req.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });

describe('Partner API: the numbers as CSV', () => {
  let t: TestApp;
  let partner: Partner;
  let owner: MemberFixture;
  let contract: ApiContract;
  let key: string;
  let clientId: string;
  let providerIds: string[];
  let stranger: { clientId: string; providerId: string };

  async function keyFor(member: MemberFixture, name: string): Promise<string> {
    const agent = t.agent();
    await signIn(agent, member.email, member.password);
    const res = await postForm(agent, '/settings/api-keys', { name, scope: 'read', expires: '' }, '/settings/api-keys/new');
    return /phk_live_\w+/.exec(res.text)![0];
  }

  const api = (query = '', bearer = key) => raw(t.http().get(`/api/v1${PATH}${query}`).set('Authorization', `Bearer ${bearer}`));
  async function page(query = '') {
    const agent = t.agent();
    await signIn(agent, owner.email, owner.password);
    return raw(agent.get(`/accounts/export.csv${query}`));
  }
  const spent = (actorId: string) => t.em().find(AuditEvent, { action: 'accounts.exported', actorId }, { orderBy: { createdAt: 'asc' } });

  beforeAll(async () => {
    // A budget of 2 files of these numbers an hour.
    t = await createTestApp({ listen: true, env: { EXPORT_ROWS_PER_HOUR: String(2 * ROWS), API_RATE_LIMIT_PER_MINUTE: '100000' } });
    t.clock.set('2026-11-27T09:00:00Z');
    partner = await createPartner(t.em(), { name: 'Exporters' });
    owner = await createMember(t.em(), partner);
    const first = await createNumber(t.em(), partner, { status: 'error', providerCreatedAt: new Date('2026-06-01T10:00:00Z') });
    clientId = first.client.id;
    await createNumber(t.em(), partner, { client: first.client, waba: first.wabaAccount, displayName: 'Zebra "quoted", Ltd' });
    const revoked = await createNumber(t.em(), partner, { providerCreatedAt: new Date('2026-06-03T10:00:00Z') });
    providerIds = [first.providerId, revoked.providerId];
    await createRevocation(t.em(), partner, revoked, '2026-12-31');
    await createNumber(t.em(), partner, { providerCreatedAt: new Date('2026-06-04T10:00:00Z') });
    key = await keyFor(owner, 'Warehouse');
    const other = await createPartner(t.em(), { name: 'Strangers' });
    const theirs = await createNumber(t.em(), other, { client: { name: 'Stranger Client' } });
    stranger = { clientId: theirs.client.id, providerId: theirs.providerId };
    contract = new ApiContract((await t.http().get('/api/v1/openapi.json')).body as OpenApiDoc, { path: PATH });
  });
  afterAll(() => t.close());
  // Every answer of every test, against the document: not only those a test checks itself.
  afterEach(() => {
    contract.expectEvery(t.apiAnswers.splice(0));
  });

  it('sends the same bytes as the page’s download for the same search, filters and sort', async () => {
    for (const [apiQuery, pageQuery] of [
      ['', ''],
      ['?lifecycle=error&lifecycle=running&sort=phone&dir=desc', '?lifecycle=error&lifecycle=running&sort=phone&dir=desc'],
      [`?client_id=${clientId}&attention=true`, `?client=${clientId}&attention=1`],
      ['?q=zebra&bom=false', '?q=zebra&bom=0'],
      ['?on_behalf=approved&sort=on_behalf', '?onBehalf=approved&sort=onBehalf'],
    ]) {
      const [fromApi, fromPage] = [await api(apiQuery), await page(pageQuery)];
      expect(fromApi.status, apiQuery).toBe(200);
      expect(fromPage.status, pageQuery).toBe(200);
      expect((fromApi.body as Buffer).equals(fromPage.body as Buffer), apiQuery).toBe(true);
      expect(fromApi.headers['content-type']).toBe(fromPage.headers['content-type']);
      expect(fromApi.headers['content-disposition']).toBe(fromPage.headers['content-disposition']);
      contract.expect(fromApi, 'GET');
      // Between two files: both within the hour's budget, of the key and of the person.
      t.clock.advance(HOUR);
    }
    const all = (await api()).body as Buffer;
    expect(all.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(all.toString('utf8').trim().split('\r\n')).toHaveLength(ROWS + 1);
    expect(all.toString('utf8')).not.toContain('Stranger Client');
    t.clock.advance(HOUR);
  });

  it('looks numbers up by provider channel id in the download too, and Activity names the ids', async () => {
    const res = await api(`?provider_id=${providerIds[1]}&provider_id=${providerIds[0]}&bom=false`);
    expect(res.status).toBe(200);
    contract.expect(res, 'GET');
    const lines = (res.body as Buffer).toString('utf8').trim().split('\r\n');
    expect(lines).toHaveLength(3);
    for (const id of providerIds) expect(lines.filter((l) => l.includes(id))).toHaveLength(1);
    const [row] = await t.em().getConnection().execute<{ id: string }[]>('select id from api_key where name = ?', ['Warehouse']);
    expect((await spent(row.id)).at(-1)!.data).toMatchObject({ rows: 2, filters: { provider_ids: [...providerIds].sort().join(', ') } });
    const agent = t.agent();
    await signIn(agent, owner.email, owner.password);
    expect((await agent.get('/activity')).text).toContain('downloaded 2 numbers looked up by provider id as a CSV file');
    t.clock.advance(HOUR);
  });

  it('spends a row budget of the key’s own, recorded in Activity under the key, then answers 429 with Retry-After', async () => {
    const [row] = await t.em().getConnection().execute<{ id: string }[]>('select id from api_key where name = ?', ['Warehouse']);
    const before = (await spent(row.id)).length;
    expect((await api()).status).toBe(200);
    t.clock.advance(10 * MINUTE);
    expect((await api('?lifecycle=error')).status).toBe(200);
    const events = (await spent(row.id)).slice(before);
    expect(events.map((e) => e.data!.rows)).toEqual([ROWS, 1]);
    expect(events[0].actorLabel).toMatch(/^API key “Warehouse” <phk_live_\w{17}>$/);
    expect(events[0].partnerId).toBe(partner.id);

    // 5 of 8 rows spent: the whole list (4) does not fit until the first file is an hour old.
    const refused = await api();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBe(50 * 60);
    contract.expect(refused, 'GET');
    const documented = (await t.http().get('/api/v1/openapi.json')).body.paths['/numbers/export.csv'].get.responses['429'];
    const examples = Object.values(documented.content['application/problem+json'].examples as Record<string, { value: { type: string } }>);
    expect(examples.map((e) => e.value.type)).toContain(JSON.parse((refused.body as Buffer).toString('utf8')).type);
    expect((await spent(row.id)).length).toBe(before + 2);
    // The person's budget is theirs, and another key's is its own.
    expect((await page()).status).toBe(200);
    expect((await api('', await keyFor(owner, 'Second'))).status).toBe(200);
    t.clock.advance(50 * MINUTE);
    expect((await api()).status).toBe(200);
    t.clock.advance(2 * HOUR);
  });

  it('refuses unknown parameters and bad values with 422 naming the field, spending nothing', async () => {
    const before = await t.em().count(AuditEvent, { action: 'accounts.exported' });
    for (const [query, field] of [
      ['?limit=10', 'limit'],
      ['?cursor=abc', 'cursor'],
      ['?colour=red', 'colour'],
      ['?bom=1', 'bom'],
      ['?lifecycle=removed', 'lifecycle.0'],
      ['?client_id=nope', 'client_id'],
      ['?sort=price', 'sort'],
    ]) {
      const res = await api(query);
      expect(res.status, query).toBe(422);
      expect(JSON.parse((res.body as Buffer).toString('utf8')).errors, query).toContainEqual(expect.objectContaining({ field }));
      contract.expect(res, 'GET');
    }
    expect(await t.em().count(AuditEvent, { action: 'accounts.exported' })).toBe(before);
  });

  it('finds nothing of another partner: their client or channel ids give the header alone', async () => {
    const header = (await api('?provider_id=none-of-ours')).body.toString('utf8').trim();
    expect(header.split('\r\n')).toHaveLength(1);
    for (const query of [
      `?client_id=${stranger.clientId}`,
      `?provider_id=${stranger.providerId}`,
      `?q=${stranger.providerId}`,
      '?q=Stranger',
    ]) {
      const res = await api(query);
      expect(res.status, query).toBe(200);
      expect((res.body as Buffer).toString('utf8').trim(), query).toBe(header);
    }
  });

  it('never answers hostile input on any parameter with a 5xx, a stack or SQL; a refused one spends nothing', async () => {
    const params = ['q', 'provider_id', 'lifecycle', 'waba', 'attention', 'client_id', 'sort', 'dir', 'bom'];
    const exported = () => t.em().count(AuditEvent, { action: 'accounts.exported' });
    const wrong: unknown[] = [];
    let refused = 0;
    for (const name of params) {
      for (const value of HOSTILE) {
        const before = await exported();
        const res = await api(`?${name}=${value}`);
        const text = (res.body as Buffer).toString('utf8');
        if (res.status >= 500 || /at .*\.(ts|js):\d|select |sqlite|postgres|\/work\//i.test(text))
          wrong.push({ name, value, status: res.status });
        if (res.status === 422) refused++;
        if (res.status === 422 && (await exported()) !== before) wrong.push({ name, value, wrote: true });
        // What is let through is a search of this partner's numbers only.
        if (text.includes('Stranger Client')) wrong.push({ name, value, leaked: true });
      }
    }
    expect(wrong).toEqual([]);
    // The refusals whose spending is checked above: most values of the closed parameters.
    expect(refused).toBeGreaterThan(HOSTILE.length);
  });

  it('needs a key, of read scope at least, and ignores a signed-in session', async () => {
    const agent = t.agent();
    await signIn(agent, owner.email, owner.password);
    for (const res of [await raw(t.http().get(`/api/v1${PATH}`)), await raw(agent.get(`/api/v1${PATH}`))]) {
      expect(res.status).toBe(401);
      contract.expect(res, 'GET');
    }
  });

  it('validated every answer of this suite against the document', () => {
    // Each answer its tests made, recorded and checked after each test: the recorder works.
    expect(contract.every.checked).toBeGreaterThan(150);
    expect(contract.every.checked / contract.every.recorded).toBeGreaterThan(0.95);
  });
});
