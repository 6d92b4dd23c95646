import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WhatsappNumber } from '../../src/accounts/entities/whatsapp-number.entity';
import { OperatorKeysService } from '../../src/operator-api/operator-keys.service';
import type { Partner } from '../../src/partners/entities/partner.entity';
import { Revocation } from '../../src/revocation/entities/revocation.entity';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createNumber } from '../factories/accounts';
import { createTestApp, type TestApp } from '../support/app';
import { onPostgres } from '../support/database';
import { csrfOf, postForm, signIn } from '../support/http';
import { ApiContract, type OpenApiDoc } from '../support/openapi-doc';

interface SqliteFile {
  exec(sql: string): void;
  close(): void;
}
const Database = createRequire(__filename)('better-sqlite3') as new (file: string) => SqliteFile;

const SAMPLE = resolve(__dirname, '../../src/accounts/import/sample/partner-channels.sample.json');

/**
 * What another process's transaction holds while a request wants to write: on SQLite the
 * database's write lock (BEGIN IMMEDIATE), on PostgreSQL a lock on the numbers that lets
 * reads through and makes every write wait (or, `access exclusive`, makes reads wait too).
 * Returns its release.
 */
async function holdLock(t: TestApp, mode = 'share row exclusive'): Promise<() => Promise<void>> {
  if (onPostgres()) {
    const client = new Client({ connectionString: t.config.database.url });
    await client.connect();
    await client.query('begin');
    await client.query(`lock table whatsapp_number in ${mode} mode`);
    return async () => {
      await client.query('rollback');
      await client.end();
    };
  }
  const db = new Database(t.config.database.sqlitePath);
  db.exec('begin immediate');
  return async () => {
    db.exec('rollback');
    db.close();
  };
}

/** What a request answers while another transaction holds the lock (holdLock), released whatever happens. */
async function whileLocked<T>(t: TestApp, send: () => Promise<T>, mode?: string): Promise<T> {
  const release = await holdLock(t, mode);
  try {
    return await send();
  } finally {
    await release();
  }
}

describe('a database too busy to answer in time', () => {
  let t: TestApp;
  let partner: Partner;
  let owner: MemberFixture;
  let writeKey: string;

  beforeAll(async () => {
    // The wait for a lock another transaction holds: short, so that the test does not wait out the defaults.
    t = await createTestApp({ env: { SQLITE_BUSY_TIMEOUT_MS: '300', DB_STATEMENT_TIMEOUT_MS: '2000' } });
    partner = await createPartner(t.em(), { name: 'Patient Partners' });
    owner = await createMember(t.em(), partner, { role: 'owner' });
    const agent = t.agent();
    await signIn(agent, owner.email, owner.password);
    const res = await postForm(agent, '/settings/api-keys', { name: 'Sync', scope: 'read_write', expires: '' }, '/settings/api-keys/new');
    writeKey = /phk_live_\w+/.exec(res.text)![0];
  });
  afterAll(() => t.close());

  const state = async (numberId: string) => ({
    billing: (await t.em().findOneOrFail(WhatsappNumber, numberId)).billingState,
    revocations: await t.em().count(Revocation, { number: numberId }),
  });

  it('answers a form 503 with Retry-After and a sentence that says to try again, writes nothing, and takes the same form once the lock is gone', async () => {
    const number = await createNumber(t.em(), partner, { phoneNumber: '+4915123456789' });
    const agent = t.agent();
    await signIn(agent, owner.email, owner.password);
    const _csrf = await csrfOf(agent, `/accounts/${number.id}/revocation/new`);
    const send = () =>
      agent.post(`/accounts/${number.id}/revocation`).type('form').send({ _csrf, confirmation: '+49 151 2345 6789', reason: '' });

    const busy = await whileLocked(t, send);
    expect(busy.status).toBe(503);
    expect(busy.headers['retry-after']).toBe('5');
    expect(busy.text).toContain('The hub is busy');
    expect(busy.text).toContain('Go back and send the form again in 5 seconds.');
    expect(busy.text).not.toMatch(/locked|timeout|SQLITE|statement|at .*\.(ts|js):\d+/i);
    const logged = t.logs.filter((l) => l.includes(busy.headers['x-request-id'] as string));
    expect(logged.some((l) => l.includes('"event":"database.busy"') && l.includes('"level":40'))).toBe(true);
    expect(logged.some((l) => l.includes('unhandled error'))).toBe(false);
    expect(await state(number.id)).toEqual({ billing: 'partner_paid', revocations: 0 });

    const again = await send();
    expect(again.status).toBe(303);
    expect(await state(number.id)).toEqual({ billing: 'revocation_requested', revocations: 1 });
  });

  // SQLite's reads never wait (WAL); a PostgreSQL read waits for a lock that shuts it out, until its statement timeout.
  it.runIf(onPostgres())('answers a page whose read waited out the statement timeout 503, saying to try again', async () => {
    const agent = t.agent();
    await signIn(agent, owner.email, owner.password);
    const busy = await whileLocked(t, () => agent.get('/accounts'), 'access exclusive');
    expect(busy.status).toBe(503);
    expect(busy.headers['retry-after']).toBe('5');
    expect(busy.text).toContain('The hub is too busy to answer this right now. Try again in 5 seconds.');
    expect((await agent.get('/accounts')).status).toBe(200);
  });

  it('answers the API 503 as a documented problem with Retry-After, and the same Idempotency-Key goes through once the lock is gone', async () => {
    const contract = new ApiContract((await t.http().get('/api/v1/openapi.json')).body as OpenApiDoc, {
      path: '/numbers/{id}/revocation',
    });
    const number = await createNumber(t.em(), partner);
    const key = randomUUID();
    const send = () =>
      t
        .http()
        .post(`/api/v1/numbers/${number.id}/revocation`)
        .set('Authorization', `Bearer ${writeKey}`)
        .set('Idempotency-Key', key)
        .send({});

    const busy = await whileLocked(t, send);
    expect(busy.status).toBe(503);
    expect(busy.headers['retry-after']).toBe('5');
    expect(busy.body).toMatchObject({ type: '/api/docs#problem-busy', status: 503, title: 'Service busy' });
    expect(busy.body.detail).toContain('Retry in 5 seconds');
    expect(busy.text).not.toMatch(/locked|timeout|SQLITE|statement/i);
    contract.expect(busy, 'POST');
    expect(await state(number.id)).toEqual({ billing: 'partner_paid', revocations: 0 });

    const again = await send();
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    contract.expect(again, 'POST');
    expect(await state(number.id)).toEqual({ billing: 'revocation_requested', revocations: 1 });
  });

  it('answers the operator API 503 as its document says, writes none of the batch, and loads it when sent again', async () => {
    const contract = new ApiContract((await t.http().get('/api/operator/v1/openapi.json')).body as OpenApiDoc, {
      path: '/partners/{partner}/channels',
      reference: '/api/operator/docs',
    });
    const { key } = await t.app.get(OperatorKeysService).create({ name: 'Provider', expiresAt: null });
    const body = JSON.parse(readFileSync(SAMPLE, 'utf8')) as unknown;
    const send = () =>
      t
        .http()
        .put(`/api/operator/v1/partners/${partner.slug}/channels`)
        .set('Authorization', `Bearer ${key}`)
        .send(body as object);
    const numbers = () => t.em().count(WhatsappNumber, { partner });
    const before = await numbers();

    const busy = await whileLocked(t, send);
    expect(busy.status).toBe(503);
    expect(busy.headers['retry-after']).toBe('5');
    expect(busy.body).toMatchObject({ type: '/api/operator/docs#problem-busy', status: 503 });
    contract.expect(busy, 'PUT');
    expect(await numbers()).toBe(before);

    const again = await send();
    expect(again.status).toBe(200);
    contract.expect(again, 'PUT');
    expect(await numbers()).toBeGreaterThan(before);
  });

  // SQLite has one connection by design, and a request waits for it as long as the busy timeout makes it.
  it.runIf(onPostgres())(
    'answers 503 when no pooled connection comes free in time (10 s)',
    async () => {
      const pooled = await createTestApp({ env: { DB_POOL_MAX: '1', DB_STATEMENT_TIMEOUT_MS: '13000' } });
      try {
        const member = await createMember(pooled.em(), await createPartner(pooled.em()));
        const agent = pooled.agent();
        await signIn(agent, member.email, member.password);
        // The one connection waits on the lock for 13 s; the other request waits for the connection.
        const answers = await whileLocked(pooled, () => Promise.all([agent.get('/accounts'), agent.get('/accounts')]), 'access exclusive');
        expect(answers.map((r) => r.status)).toEqual([503, 503]);
        expect(pooled.logs.some((l) => l.includes('"event":"database.busy"') && l.includes('Timeout acquiring a connection'))).toBe(true);
        expect((await agent.get('/accounts')).status).toBe(200);
      } finally {
        await pooled.close();
      }
    },
    60_000,
  );
});
