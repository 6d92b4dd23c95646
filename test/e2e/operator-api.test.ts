import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { Response } from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Client } from '../../src/accounts/entities/client.entity';
import { NumberStatusChange } from '../../src/accounts/entities/number-status-change.entity';
import { WhatsappNumber } from '../../src/accounts/entities/whatsapp-number.entity';
import { runCli } from '../../src/cli/program';
import { OperatorKeysService } from '../../src/operator-api/operator-keys.service';
import type { Partner } from '../../src/partners/entities/partner.entity';
import { createMember, createPartner } from '../factories';
import { createTestApp, type TestApp } from '../support/app';
import { DAY, MINUTE } from '../support/clock';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { postForm, signIn } from '../support/http';
import { HOSTILE_ENCODED as HOSTILE, MALFORMED_ESCAPES } from '../support/hostile';
import { ApiContract, type OpenApiDoc } from '../support/openapi-doc';

const SAMPLE = resolve(__dirname, '../../src/accounts/import/sample/partner-channels.sample.json');
const CHANNELS = '/api/operator/v1/partners/{partner}/channels';

type Channel = Record<string, any>;
const sample = (): { partner_channels: Channel[] } => JSON.parse(readFileSync(SAMPLE, 'utf8'));

/** `count` distinct channels of one client and WABA, in the sample's form. */
function channels(count: number, from = 0): Channel[] {
  const [template] = sample().partner_channels;
  return Array.from({ length: count }, (_, i) => ({
    ...template,
    id: `bulk${from + i}CH`,
    external_id: String(200_000_000_000 + from + i),
    setup_info: { ...template.setup_info, phone_number: `+49151${String(10_000_000 + from + i)}` },
  }));
}

/** The same values as a body carries them, and values of other JSON kinds. */
const HOSTILE_VALUES: unknown[] = [
  ...HOSTILE.map(decodeURIComponent),
  null,
  true,
  0,
  -1,
  1.5,
  [],
  {},
  { $ne: null },
  ['a'],
  'x'.repeat(100_000),
];

/** What the test's CLI runs print, by stream. */
async function cli(t: TestApp, argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    const env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      JOBS_ENABLED: 'false',
      DEMO_SEED: 'false',
      ...(t.config.database.url ? { DATABASE_URL: t.config.database.url } : { SQLITE_PATH: t.config.database.sqlitePath }),
    };
    const code = await runCli(argv, env);
    return { code, out: log.mock.calls.map((c) => c.join(' ')), err: error.mock.calls.map((c) => c.join(' ')) };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

/** Makes an operator key with the command, as an operator would; returns it as printed. */
async function operatorKey(t: TestApp, name = 'provider sync'): Promise<string> {
  const run = await cli(t, ['operator:key', 'create', '--name', name]);
  expect(run.code).toBe(0);
  return /phk_op_\w+/.exec(run.out.join('\n'))![0];
}

/** The partners' data, for "nothing changed". */
async function dataRows(t: TestApp): Promise<unknown[]> {
  const conn = t.em().getConnection();
  const tables = ['whatsapp_number', 'client', 'waba_account', 'number_status_change', 'partner'];
  return Promise.all(tables.map((table) => conn.execute(`select * from ${table} order by id`)));
}

describe('operator API: ingesting a partner’s channels', () => {
  let database: TestDatabase;
  let t: TestApp;
  let second: TestApp;
  let key: string;
  let contract: ApiContract;
  const dir = mkdtempSync(join(tmpdir(), 'hub-operator-'));

  const put = (partner: string, body: unknown, bearer = key, query = '', app = t) =>
    app
      .http()
      .put(`/api/operator/v1/partners/${partner}/channels${query}`)
      .set('Authorization', `Bearer ${bearer}`)
      .send(body as object);

  beforeAll(async () => {
    // Two instances on one database: a revocation must hold on both at once.
    database = await createTestDatabase();
    t = await createTestApp({ database });
    second = await createTestApp({ database, migrate: false });
    key = await operatorKey(t);
    const doc = (await t.http().get('/api/operator/v1/openapi.json')).body as OpenApiDoc;
    contract = new ApiContract(doc, { path: '/partners/{partner}/channels', reference: '/api/operator/docs', base: '/api/operator/v1' });
  });
  // Every answer of every test, on either instance, against the document: not only those a test checks itself.
  afterEach(() => {
    contract.expectEvery([...t.apiAnswers.splice(0), ...second.apiAnswers.splice(0)]);
  });
  afterAll(async () => {
    await second.close();
    await t.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes its own valid OpenAPI 3.1 document, apart from the partners’ one', async () => {
    const res = await t.http().get('/api/operator/v1/openapi.json');
    expect(res.status).toBe(200);
    const result = await new Validator().validate(res.body as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(Object.keys((res.body as OpenApiDoc).paths)).toEqual(['/partners/{partner}/channels']);
    expect(res.body.components.securitySchemes.operatorKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    const partners = (await t.http().get('/api/v1/openapi.json')).body as OpenApiDoc;
    expect(Object.keys(partners.paths).some((p) => p.includes('partners'))).toBe(false);
  });

  it('shows examples valid against their schemas: its example body loads, and a refused record answers as the example says', async () => {
    const doc = (await t.http().get('/api/operator/v1/openapi.json')).body as OpenApiDoc;
    const shown = new ApiContract(doc, { reference: '/api/operator/docs' }).examples().examples;
    // One operation: its examples by status (or "body").
    const examples = Object.fromEntries(Object.entries(shown).map(([where, values]) => [where.split(' ').pop()!, values]));
    expect(Object.keys(examples).sort()).toEqual(['200', '400', '401', '404', '413', '415', '422', '503', 'body']);
    expect(examples['200'][0]).toMatchObject({ records: 1000, refused: 1 });

    const partner = await createPartner(t.em());
    const loaded = await put(partner.slug, examples.body[0]);
    expect(loaded.status).toBe(200);
    expect(loaded.body).toMatchObject({ records: 1, created: 1, refused: 0 });
    const [unknown] = examples['404'] as { detail: string }[];
    expect((await put('no-such-partner', examples.body[0])).body.detail).toBe(unknown.detail);
    const record = (examples.body[0] as { partner_channels: Record<string, unknown>[] }).partner_channels[0];
    const refused = await put(partner.slug, { partner_channels: [record, { ...record, id: 'other', setup_info: {} }] });
    expect(refused.status).toBe(422);
    const [unknownField, invalid] = examples['422'] as { type: string; title: string; errors: unknown[] }[];
    expect(refused.body).toMatchObject({
      type: invalid.type,
      title: invalid.title,
      errors: [{ field: 'body.partner_channels', message: expect.stringContaining('record 2') }],
    });
    const unknown422 = await put(partner.slug, { colour: 'red' }, key, '?colour=red');
    expect(unknown422.status).toBe(422);
    expect(unknown422.body).toMatchObject({ type: unknownField.type, errors: unknownField.errors });
    const [missing, wrong] = examples['401'] as { detail: string }[];
    const anonymous = await t
      .http()
      .put(`/api/operator/v1/partners/${partner.slug}/channels`)
      .send(examples.body[0] as object);
    expect(anonymous.body.detail).toBe(missing.detail);
    expect((await put(partner.slug, examples.body[0], 'phk_op_nope')).body.detail).toBe(wrong.detail);
  });

  it('has a reference of its own, where the type of each of its problems points', async () => {
    const page = await t.http().get('/api/operator/docs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<script src="/api/docs/init.js"></script>');
    const doc = (await t.http().get('/api/operator/v1/openapi.json')).body as OpenApiDoc;
    const listed = [...doc.info.description.matchAll(/<a id="problem-([a-z-]+)"><\/a>/g)].map((m) => m[1]);
    expect(listed).toEqual(
      expect.arrayContaining(['invalid-records', 'invalid-request', 'unauthorized', 'not-found', 'request-too-large', 'internal']),
    );
    const refused = await put('no-such-partner', {}, 'phk_op_nope');
    expect(refused.body.type).toBe('/api/operator/docs#problem-unauthorized');
    // The partners' reference does not list the operator's own problems.
    const partners = (await t.http().get('/api/v1/openapi.json')).body as OpenApiDoc;
    expect(partners.info.description).not.toContain('invalid-records');
  });

  it('keeps only the SHA-256 hash of a key the command printed once', async () => {
    const rows = (await t
      .em()
      .getConnection()
      .execute(`select * from operator_key where key_id = ?`, [/^phk_op_(\w{17})_/.exec(key)![1]])) as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    expect(rows[0].secret_hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(key.slice(-43));
    const list = await cli(t, ['operator:key', 'list']);
    expect(list.out.join('\n')).toContain(key.slice(0, 'phk_op_'.length + 17));
    expect(list.out.join('\n')).not.toContain(key.slice(-43));
  });

  it('creates the numbers by partner slug, then changes nothing on a repeat by id', async () => {
    const partner = await createPartner(t.em());
    const first = await put(partner.slug, sample());
    expect(first.status).toBe(200);
    contract.expect(first, 'PUT');
    expect(first.body).toEqual({ records: 4, created: 4, updated: 0, unchanged: 0, refused: 0, status_changes: 0, problems: [] });
    expect(await t.em().count(WhatsappNumber, { partner })).toBe(4);
    expect(await t.em().count(Client, { partner })).toBe(3);
    const before = await dataRows(t);

    t.clock.advance(5 * MINUTE);
    const again = await put(partner.id, sample());
    expect(again.status).toBe(200);
    contract.expect(again, 'PUT');
    expect(again.body).toMatchObject({ created: 0, updated: 0, unchanged: 4, refused: 0 });
    expect(await dataRows(t)).toEqual(before);
  });

  it('writes each status change to the number’s history, with the import as source', async () => {
    const partner = await createPartner(t.em());
    await put(partner.id, sample());
    const data = sample();
    data.partner_channels[0].status = 'suspended';
    data.partner_channels[2].current_quality_rating = 'red';
    t.clock.advance(10 * MINUTE);
    const res = await put(partner.id, data);
    expect(res.status).toBe(200);
    contract.expect(res, 'PUT');
    expect(res.body).toMatchObject({ created: 0, updated: 2, unchanged: 2, status_changes: 2 });
    const changes = await t.em().find(NumberStatusChange, { partner, fromValue: { $ne: null } }, { populate: ['number'] });
    expect(changes.map((c) => [c.number.providerId, c.family, c.fromValue, c.toValue, c.source]).sort()).toEqual(
      [
        ['a1b2CH', 'lifecycle', 'running', 'suspended', 'import'],
        ['b7c8CH', 'quality', 'yellow', 'red', 'import'],
      ].sort(),
    );
    expect(changes.every((c) => c.changedAt.getTime() === t.clock.now().getTime())).toBe(true);
  });

  /** Records with the problems of accounts-import.test.ts, and two valid ones. */
  function badData() {
    const data = sample();
    data.partner_channels[0].setup_info.phone_number = '+49123';
    data.partner_channels[1].status = 'exploded';
    data.partner_channels[2].client.name = 'x'.repeat(201);
    const valid = { ...data.partner_channels[3], id: 'dupCH', setup_info: { phone_number: '+4915123456780' } };
    data.partner_channels.push(valid, valid, 42 as never);
    return data;
  }

  it('refuses invalid records with the messages accounts:import prints for the same file, and writes nothing', async () => {
    const data = badData();
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify(data));
    const byCommand = await cli(t, ['accounts:import', '--partner', (await createPartner(t.em())).id, path]);
    expect(byCommand.code).toBe(2);
    const printed = byCommand.err.filter((line) => line.startsWith('record '));
    expect(printed).toHaveLength(5);

    const partner = await createPartner(t.em());
    const before = await dataRows(t);
    const res = await put(partner.id, data);
    expect(res.status).toBe(422);
    contract.expect(res, 'PUT');
    expect(res.body).toMatchObject({ status: 422, detail: expect.stringMatching(/^5 of 7 records are invalid: nothing was written/) });
    expect(res.body.errors).toEqual(printed.map((message) => ({ field: 'body.partner_channels', message })));
    expect(await dataRows(t)).toEqual(before);
  });

  it('refuses a load that gives a field of a record twice with 422, writing nothing', async () => {
    const partner = await createPartner(t.em());
    const before = await dataRows(t);
    const text = JSON.stringify({ partner_channels: [sample().partner_channels[0]] }).replace('"id":', '"id":"CH-FIRST","id":');
    const res = await put(partner.id, text).type('json');
    expect(res.status).toBe(422);
    contract.expect(res, 'PUT');
    expect(res.body.errors).toEqual([{ field: 'body.id', message: 'Given more than once: send each field once.' }]);
    expect(await dataRows(t)).toEqual(before);
  });

  it('refuses a record with a NUL byte, at any depth, as accounts:import does: that record, with its message', async () => {
    const data = sample();
    data.partner_channels[1].setup_info.phone_name = 'bad\u0000name';
    data.partner_channels[2].client.contact_info.email = 'nul\u0000@example.com';
    const path = join(dir, 'nul.json');
    writeFileSync(path, JSON.stringify(data));
    const byCommand = await cli(t, ['accounts:import', '--partner', (await createPartner(t.em())).id, '--skip-invalid', path]);
    expect(byCommand.code).toBe(0);
    const printed = byCommand.err.filter((line) => line.startsWith('record '));
    expect(printed).toHaveLength(2);

    const partner = await createPartner(t.em());
    const before = await dataRows(t);
    const all = await put(partner.id, data);
    expect(all.status).toBe(422);
    expect(all.body.errors).toEqual(printed.map((message) => ({ field: 'body.partner_channels', message })));
    expect(await dataRows(t)).toEqual(before);
    const skipping = await put(partner.id, data, key, '?skip_invalid=true');
    expect(skipping.status).toBe(200);
    expect(skipping.body).toMatchObject({ records: data.partner_channels.length, refused: 2 });
    expect((skipping.body.problems as { position: string; reason: string }[]).map((p) => `${p.position}: ${p.reason}`)).toEqual(printed);
    // The router reads the address in any case: so does the NUL check.
    const shouted = await t
      .http()
      .put(`/API/Operator/V1/partners/${(await createPartner(t.em())).id}/channels?skip_invalid=true`)
      .set('Authorization', `Bearer ${key}`)
      .send(data);
    expect([shouted.status, shouted.body.refused]).toEqual([200, 2]);
    // Elsewhere a NUL byte still refuses the request: the operator API's query.
    const inQuery = await put(partner.id, data, key, '?skip_invalid=tr%00ue');
    expect([inQuery.status, inQuery.body.errors]).toEqual([
      422,
      [{ field: 'skip_invalid', message: 'Contains a NUL character, which is not allowed.' }],
    ]);
  });

  it('writes the valid records and lists the others with skip_invalid=true, as --skip-invalid does', async () => {
    const data = badData();
    const path = join(dir, 'skip.json');
    writeFileSync(path, JSON.stringify(data));
    const byCommand = await cli(t, ['accounts:import', '--partner', (await createPartner(t.em())).id, '--skip-invalid', path]);
    expect(byCommand.code).toBe(0);

    const partner = await createPartner(t.em());
    const res = await put(partner.id, data, key, '?skip_invalid=true');
    expect(res.status).toBe(200);
    contract.expect(res, 'PUT');
    expect(res.body).toMatchObject({ records: 7, created: 2, updated: 0, unchanged: 0, refused: 5 });
    expect((res.body.problems as { position: string; reason: string }[]).map((p) => `${p.position}: ${p.reason}`)).toEqual(
      byCommand.err.filter((line) => line.startsWith('record ')),
    );
    expect(await t.em().count(WhatsappNumber, { partner })).toBe(2);
    expect(await t.em().count(WhatsappNumber, { partner, providerId: 'dupCH' })).toBe(1);
  });

  it('takes 1,000 records in one request and refuses 1,001 with 422, writing nothing', async () => {
    const partner = await createPartner(t.em());
    const full = await put(partner.id, { partner_channels: channels(1000) });
    expect(full.status).toBe(200);
    contract.expect(full, 'PUT');
    expect(full.body).toMatchObject({ records: 1000, created: 1000 });

    const other = await createPartner(t.em());
    const over = await put(other.id, { partner_channels: channels(1001) });
    expect(over.status).toBe(422);
    contract.expect(over, 'PUT');
    expect(over.body.errors).toEqual([{ field: 'body.partner_channels', message: expect.stringMatching(/^At most 1,000 per request/) }]);
    expect(await t.em().count(WhatsappNumber, { partner: other })).toBe(0);
  });

  it('takes a body above the partner API’s 1 MB and refuses one above 10 MB with a 413 problem', async () => {
    const partner = await createPartner(t.em());
    const data = sample();
    data.partner_channels[0].notes = 'n'.repeat(2_000_000);
    const large = await put(partner.id, data);
    expect(large.status).toBe(200);
    expect(large.body.created).toBe(4);
    // The partners' API reads no body without its own key (with one it keeps its own limit: api-write.test.ts).
    const partnerApi = await t.http().post('/api/v1/numbers').set('Content-Type', 'application/json').send(JSON.stringify(data));
    expect(partnerApi.status).toBe(401);

    const before = await dataRows(t);
    data.partner_channels[0].notes = 'n'.repeat(10 * 1024 * 1024);
    const tooLarge = await put(partner.id, JSON.stringify(data)).set('Content-Type', 'application/json');
    expect(tooLarge.status).toBe(413);
    contract.expect(tooLarge, 'PUT');
    expect(tooLarge.body).toMatchObject({ status: 413, title: 'Request too large' });
    expect(tooLarge.text).not.toMatch(/at .*\.(ts|js):\d|\/work\//);
    expect(await dataRows(t)).toEqual(before);
  });

  it('answers an unknown or malformed partner with 404 and an unknown query parameter with 422', async () => {
    for (const res of [await put('no-such-partner', sample()), await put('a b', sample()), await put('x'.repeat(81), sample())]) {
      expect(res.status).toBe(404);
      contract.expect(res, 'PUT');
    }
    const partner = await createPartner(t.em());
    for (const [query, field] of [
      ['?skip=true', 'skip'],
      ['?skip_invalid=yes', 'skip_invalid'],
      ['?skip_invalid=true&dry_run=true', 'dry_run'],
    ] as const) {
      const res = await put(partner.id, sample(), key, query);
      expect(res.status, query).toBe(422);
      contract.expect(res, 'PUT');
      expect(res.body.errors).toContainEqual({ field, message: expect.any(String) });
    }
    const extra = await put(partner.id, { ...sample(), next_cursor: 'x' });
    expect(extra.status).toBe(422);
    expect(extra.body.errors).toEqual([{ field: 'body.next_cursor', message: 'Unexpected field.' }]);
    expect(await t.em().count(WhatsappNumber, { partner })).toBe(0);
  });

  it('refuses a load without a valid key before reading its body: not JSON, or above 10 MB, it is still a 401', async () => {
    const partner = await createPartner(t.em());
    const url = `/api/operator/v1/partners/${partner.id}/channels`;
    const unknown = `phk_op_${'0'.repeat(17)}_${'0'.repeat(43)}`;
    for (const [why, res] of [
      ['not JSON, no key', await t.http().put(url).type('json').send('{"partner_channels":')],
      ['not JSON, unknown key', await t.http().put(url).set('Authorization', `Bearer ${unknown}`).type('json').send('{"a":')],
      [
        '11 MB, no key',
        await t
          .http()
          .put(url)
          .type('json')
          .send(`{"partner_channels":["${'x'.repeat(11 * 2 ** 20)}"]}`),
      ],
      [
        'a form of 300 fields above 100 kB, no key',
        await t
          .http()
          .put(url)
          .type('form')
          .send(Array.from({ length: 300 }, (_, i) => `f${i}=${'x'.repeat(400)}`).join('&')),
      ],
    ] as const) {
      expect(res.status, why).toBe(401);
      contract.expect(res, 'PUT');
    }
    // With a valid key the body is read: the same text is a 400 for what it is.
    expect((await put(partner.id, '{"partner_channels":').type('json')).status).toBe(400);
    // And JSON sent as a form (curl's default type) is not JSON: a 415, not a field named after the text.
    const form = await put(partner.id, '{"partner_channels":[]}').type('form');
    expect([form.status, form.body.type]).toEqual([415, expect.stringMatching(/#problem-unsupported-media-type$/)]);
    contract.expect(form, 'PUT');
    expect(await t.em().count(WhatsappNumber, { partner: partner.id })).toBe(0);
  });

  it('answers 401 with WWW-Authenticate for a missing, unknown, expired or revoked key and for a partner’s API key', async () => {
    const partner = await createPartner(t.em());
    const owner = await createMember(t.em(), partner);
    const agent = t.agent();
    await signIn(agent, owner.email, owner.password);
    const page = await postForm(agent, '/settings/api-keys', { name: 'Mine', scope: 'read_write', expires: '' }, '/settings/api-keys/new');
    const partnerKey = /phk_live_\w+/.exec(page.text)![0];
    expect((await t.http().get('/api/v1/summary').set('Authorization', `Bearer ${partnerKey}`)).status).toBe(200);

    const expiring = await t.app.get(OperatorKeysService).create({ name: 'short', expiresAt: new Date(t.clock.now().getTime() + DAY) });
    expect((await put(partner.id, sample(), expiring.key)).status).toBe(200);
    t.clock.advance(DAY);

    const revoked = await operatorKey(t, 'to revoke');
    expect((await put(partner.id, sample(), revoked, '', second)).status).toBe(200);
    const id = (await cli(t, ['operator:key', 'list'])).out.find((line) => line.includes(revoked.slice(0, 24)))!.split(' ')[0];
    expect((await cli(t, ['operator:key', 'revoke', id])).code).toBe(0);

    const unknown = `phk_op_${'0'.repeat(17)}_${'0'.repeat(43)}`;
    const wrongSecret = `${key.slice(0, -1)}${key.endsWith('x') ? 'y' : 'x'}`;
    const before = await dataRows(t);
    const refused: [string, Response][] = [
      ['missing', await t.http().put(`/api/operator/v1/partners/${partner.id}/channels`).send(sample())],
      ['basic', await t.http().put(`/api/operator/v1/partners/${partner.id}/channels`).set('Authorization', `Basic ${key}`).send(sample())],
      ['unknown', await put(partner.id, sample(), unknown)],
      ['wrong secret', await put(partner.id, sample(), wrongSecret)],
      ['expired', await put(partner.id, sample(), expiring.key)],
      ['revoked', await put(partner.id, sample(), revoked)],
      ['revoked, on the other instance', await put(partner.id, sample(), revoked, '', second)],
      ['partner key', await put(partner.id, sample(), partnerKey)],
    ];
    for (const [why, res] of refused) {
      expect(res.status, why).toBe(401);
      expect(res.headers['www-authenticate'], why).toMatch(/^Bearer realm="partner-hub"/);
      contract.expect(res, 'PUT');
    }
    expect(refused.at(-1)![1].body.detail).toMatch(/partner's API key does not open the operator API/);
    expect(await dataRows(t)).toEqual(before);
    // Nor does an operator key open the partners' API.
    expect((await t.http().get('/api/v1/summary').set('Authorization', `Bearer ${key}`)).status).toBe(401);

    const lines = [...t.logs, ...second.logs];
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ event: 'operator.key_refused', reason: 'revoked' }),
    );
    for (const secret of [key, revoked, expiring.key]) expect(lines.join('\n')).not.toContain(secret.slice(-43));
  });

  it('serves two loads of one partner at once: each number is created once', async () => {
    const partner = await createPartner(t.em());
    const [a, b] = await Promise.all([
      put(partner.id, { partner_channels: channels(50) }),
      put(partner.id, { partner_channels: channels(50) }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.created + b.body.created).toBe(50);
    expect(a.body.unchanged + b.body.unchanged).toBe(50);
    expect(await t.em().count(WhatsappNumber, { partner })).toBe(50);
  });

  it('never answers hostile input in the path, the query or any field with a 5xx, a stack or SQL', async () => {
    const partner = await createPartner(t.em());
    const wrong: unknown[] = [];
    const check = (what: string, res: Response) => {
      const leaks = /at .*\.(ts|js):\d|select |sqlite|postgres|\/work\//i.test(res.text);
      if (res.status >= 500 || leaks || !String(res.headers['content-type']).startsWith('application/'))
        wrong.push({ what, status: res.status });
      else contract.expect(res, 'PUT');
    };

    const before = await dataRows(t);
    for (const v of [...HOSTILE, ...MALFORMED_ESCAPES]) {
      check(`path ${v}`, await put(v, sample()));
      check(`query name ${v}`, await put(partner.id, sample(), key, `?${v}=true`));
      check(`query value ${v}`, await put(partner.id, sample(), key, `?skip_invalid=${v}`));
    }
    for (const raw of [
      '"text"',
      '42',
      'null',
      '[]',
      '{"partner_channels":{}}',
      '{"partner_channels":"x"}',
      `[${'['.repeat(5000)}${']'.repeat(5000)}]`,
    ]) {
      check(`body ${raw.slice(0, 20)}`, await put(partner.id, raw).set('Content-Type', 'application/json'));
    }
    check('text body', await put(partner.id, 'partner_channels=1').set('Content-Type', 'text/plain'));
    expect(await dataRows(t)).toEqual(before);

    // Every field of a record, and each of its objects, in turn: one record each.
    const paths: string[][] = [];
    const walk = (value: Channel, at: string[]) => {
      for (const [name, v] of Object.entries(value)) {
        paths.push([...at, name]);
        if (v && typeof v === 'object') walk(v as Channel, [...at, name]);
      }
    };
    const [template] = sample().partner_channels;
    walk(template, []);
    for (const value of HOSTILE_VALUES) {
      const records = paths.map((path, i) => {
        const record: Channel = structuredClone({ ...template, id: `hostile${i}` });
        let target = record;
        for (const name of path.slice(0, -1)) target = target[name];
        target[path.at(-1)!] = value;
        return record;
      });
      check(
        `fields = ${JSON.stringify(value).slice(0, 30)}`,
        await put(partner.id, { partner_channels: records }, key, '?skip_invalid=true'),
      );
    }
    expect(wrong).toEqual([]);
  });

  it('logs each load with its counts and the key’s id, never the key', () => {
    const events = t.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events).toContainEqual(expect.objectContaining({ event: 'operator.channels_imported', records: 4, written: true }));
    expect(t.logs.join('\n')).not.toContain(key.slice(-43));
  });

  it('validated every answer of this suite against the document', () => {
    // Each answer its tests made, recorded and checked after each test: the recorder works.
    expect(contract.every.checked).toBeGreaterThan(100);
    expect(contract.every.checked / contract.every.recorded).toBeGreaterThan(0.95);
  });
});
