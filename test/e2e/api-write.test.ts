import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NumberStatusChange } from '../../src/accounts/entities/number-status-change.entity';
import { WhatsappNumber } from '../../src/accounts/entities/whatsapp-number.entity';
import { AuditEvent } from '../../src/audit/entities/audit-event.entity';
import { MailWorker } from '../../src/mail/mail-worker.service';
import type { Partner } from '../../src/partners/entities/partner.entity';
import { Revocation } from '../../src/revocation/entities/revocation.entity';
import { longDate } from '../../src/common/dates';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createNumber } from '../factories/accounts';
import { createTestAppWithSmtp, type TestApp } from '../support/app';
import { HOUR } from '../support/clock';
import { postForm, signIn } from '../support/http';
import type { TestSmtp } from '../support/smtp';
import { HOSTILE_ENCODED, MALFORMED_ESCAPES } from '../support/hostile';
import { ApiContract, type OpenApiDoc } from '../support/openapi-doc';
import { phoneView } from '../../src/accounts/phone';

const HOSTILE = HOSTILE_ENCODED.map(decodeURIComponent);
/** What a JSON field can hold besides a string. */
const HOSTILE_TYPES: unknown[] = [null, 0, -1, 1e308, true, [], ['x'], {}, { $gt: '' }];

const START = '2026-11-26T10:00:00Z';
/** With 30 days' notice to the end of the month, from START (Berlin). */
const TERMINATION = '2026-12-31';
const REMOVAL = '2027-01-15';
const PATH = '/numbers/{id}/revocation';

describe('Partner API: requesting and withdrawing payment revocation', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  let partner: Partner;
  let owner: MemberFixture;
  let contract: ApiContract;
  let writeKey: string;
  let readKey: string;
  let foreignKey: string;
  let foreignNumber: string;
  let writeKeyId: string;

  async function keyFor(member: MemberFixture, name: string, scope: 'read' | 'read_write'): Promise<string> {
    const agent = t.agent();
    await signIn(agent, member.email, member.password);
    const res = await postForm(agent, '/settings/api-keys', { name, scope, expires: '' }, '/settings/api-keys/new');
    return /phk_live_\w+/.exec(res.text)![0];
  }

  const post = (id: string, body: unknown, o: { key?: string; idem?: string | null } = {}) => {
    const req = t
      .http()
      .post(`/api/v1/numbers/${id}/revocation`)
      .set('Authorization', `Bearer ${o.key ?? writeKey}`);
    if (o.idem !== null) req.set('Idempotency-Key', o.idem ?? randomUUID());
    // As JSON text, whatever it is: a string or null too.
    return body === undefined ? req : req.type('json').send(JSON.stringify(body));
  };
  const del = (id: string, o: { key?: string; idem?: string | null; body?: object } = {}) => {
    const req = t
      .http()
      .delete(`/api/v1/numbers/${id}/revocation`)
      .set('Authorization', `Bearer ${o.key ?? writeKey}`);
    if (o.idem !== null) req.set('Idempotency-Key', o.idem ?? randomUUID());
    return o.body ? req.send(o.body) : req;
  };

  /** A number of the partner the partner pays for, its client with a contact email. */
  const number = async () => (await createNumber(t.em(), partner)).id;

  /** Everything a revocation writes (a key's first use and its idempotency keys are written by design). */
  async function written(): Promise<unknown[]> {
    const conn = t.em().getConnection();
    return Promise.all([
      conn.execute('select id, billing_state, updated_at from whatsapp_number order by id'),
      conn.execute('select * from revocation order by id'),
      conn.execute('select * from number_status_change order by id'),
      conn.execute('select id from outbox_email order by id'),
      conn.execute("select id from audit_event where action like 'revocation.%' order by id"),
    ]);
  }

  const counts = async (numberId: string) => {
    const em = t.em();
    return {
      revocations: await em.count(Revocation, { number: numberId }),
      history: await em.count(NumberStatusChange, { number: numberId, family: 'billing' }),
      requested: await em.count(AuditEvent, { action: 'revocation.requested', subjectId: numberId }),
      withdrawn: await em.count(AuditEvent, { action: 'revocation.withdrawn', subjectId: numberId }),
    };
  };

  beforeAll(async () => {
    ({ t, smtp } = await createTestAppWithSmtp({ env: { API_RATE_LIMIT_PER_MINUTE: '100000' } }));
    t.clock.set(START);
    partner = await createPartner(t.em(), {
      name: 'Writers',
      terms: { noticeDays: 30, alignment: 'end_of_month', billingTimeZone: 'Europe/Berlin' },
    });
    owner = await createMember(t.em(), partner, { name: 'Wanda Owner' });
    writeKey = await keyFor(owner, 'Billing sync', 'read_write');
    readKey = await keyFor(owner, 'Dashboard', 'read');
    const [row] = await t.em().getConnection().execute<{ id: string }[]>('select id from api_key where name = ?', ['Billing sync']);
    writeKeyId = row.id;

    const other = await createPartner(t.em(), { name: 'Others' });
    foreignNumber = (await createNumber(t.em(), other)).id;
    foreignKey = await keyFor(await createMember(t.em(), other), 'Theirs', 'read_write');

    contract = new ApiContract((await t.http().get('/api/v1/openapi.json')).body as OpenApiDoc, { path: PATH });
  });
  afterAll(() => t.close());
  // Every answer of every test, against the document: not only those a test checks itself.
  afterEach(() => {
    contract.expectEvery(t.apiAnswers.splice(0));
  });

  it('documents both operations with the Idempotency-Key header, the replay header and their failures', async () => {
    const doc = (await t.http().get('/api/v1/openapi.json')).body as OpenApiDoc & {
      paths: Record<string, Record<string, { parameters: { name: string; in: string; required: boolean }[]; 'x-scope': string }>>;
    };
    const ops = doc.paths[PATH];
    expect(Object.keys(ops).sort()).toEqual(['delete', 'post']);
    for (const op of Object.values(ops)) {
      expect(op.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true }));
      expect(op['x-scope']).toBe('read_write');
      expect(Object.keys((op as unknown as { responses: object }).responses)).toEqual(
        expect.arrayContaining(['400', '401', '403', '404', '409', '422', '429']),
      );
    }
    expect(Object.keys(ops.post.responses)).toEqual(expect.arrayContaining(['200', '201']));
  });

  it('refuses a read key with 403 on both, acting on nothing', async () => {
    const id = await number();
    const before = await written();
    const requested = await post(id, {}, { key: readKey });
    const withdrawn = await del(id, { key: readKey });
    for (const [res, method] of [
      [requested, 'POST'],
      [withdrawn, 'DELETE'],
    ] as const) {
      expect(res.status).toBe(403);
      expect(res.body.type).toBe('/api/docs#problem-insufficient-scope');
      contract.expect(res, method);
    }
    expect(await written()).toEqual(before);
  });

  it('answers a dry run with the termination and removal dates and does nothing', async () => {
    const id = await number();
    const before = await written();
    const res = await post(id, { dry_run: true, reason: '  Client pays itself  ' });
    expect(res.status).toBe(200);
    contract.expect(res, 'POST');
    expect(res.body).toEqual({
      number_id: id,
      number_provider_id: (await t.em().findOneOrFail(WhatsappNumber, id)).providerId,
      dry_run: true,
      revocation: {
        requested_at: new Date(START).toISOString(),
        termination_date: TERMINATION,
        billing_time_zone: 'Europe/Berlin',
        billing_ends_at: '2026-12-31T23:00:00.000Z',
        remove_at: '2027-01-14T23:00:00.000Z',
        removal_date: REMOVAL,
        reason: 'Client pays itself',
      },
      client_emailed: true,
    });
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    expect(await written()).toEqual(before);
  });

  it('refuses a body that gives a field twice with 422, acting on nothing: {"dry_run":true,"dry_run":false} is no request', async () => {
    const id = await number();
    const before = await written();
    for (const body of ['{"dry_run":true,"dry_run":false}', '{"dry_run":true,"\\u0064ry_run":false}']) {
      const res = await t
        .http()
        .post(`/api/v1/numbers/${id}/revocation`)
        .set('Authorization', `Bearer ${writeKey}`)
        .set('Idempotency-Key', randomUUID())
        .type('json')
        .send(body);
      expect(res.status, body).toBe(422);
      expect(res.body.errors).toEqual([{ field: 'body.dry_run', message: 'Given more than once: send each field once.' }]);
      contract.expect(res, 'POST');
    }
    // Every problem with the body names its field under body., as the schema's own checks do.
    const nul = await post(id, { reason: 'a\u0000b' });
    expect(nul.status).toBe(422);
    expect(nul.body.errors).toEqual([{ field: 'body.reason', message: 'Contains a NUL character, which is not allowed.' }]);
    expect(await written()).toEqual(before);
  });

  it('refuses a reason with a control, text-direction or invisible character with 422, a dry run too, acting on nothing', async () => {
    const id = await number();
    const before = await written();
    // As the page refuses it: a reason that would read otherwise in Activity than it is.
    for (const body of [{ reason: 'Client \u202eskrow' }, { reason: 'a\u2066b', dry_run: true }, { reason: 'a\u0007b' }]) {
      const res = await post(id, body);
      expect(res.status, body.reason).toBe(422);
      expect(res.body.errors).toEqual([
        { field: 'body.reason', message: 'The reason contains control, text-direction or invisible characters: type it without them.' },
      ]);
      contract.expect(res, 'POST');
    }
    // Lines and tabs are a reason's own.
    expect((await post(id, { reason: 'Line one\n\tLine two', dry_run: true })).status).toBe(200);
    expect(await written()).toEqual(before);
  });

  it('requests revocation as the page does: 201, the client emailed, the history, and Activity naming the key', async () => {
    const id = await number();
    const contact = (await t.em().findOneOrFail(WhatsappNumber, id, { populate: ['client'] })).client.contactEmail!;
    const res = await post(id, { termination_date: TERMINATION, reason: 'Client pays itself' });
    expect(res.status).toBe(201);
    contract.expect(res, 'POST');
    expect(res.body).toMatchObject({
      number_id: id,
      number_provider_id: (await t.em().findOneOrFail(WhatsappNumber, id)).providerId,
      dry_run: false,
      revocation: { termination_date: TERMINATION, removal_date: REMOVAL, reason: 'Client pays itself' },
      client_emailed: true,
    });

    const em = t.em();
    expect((await em.findOneOrFail(WhatsappNumber, id)).billingState).toBe('revocation_requested');
    const revocation = await em.findOneOrFail(Revocation, { number: id, withdrawnAt: null });
    expect(revocation).toMatchObject({ terminationDate: TERMINATION, reason: 'Client pays itself', requestedBy: null });
    expect(
      await em.count(NumberStatusChange, { number: id, family: 'billing', toValue: 'revocation_requested', source: 'revocation' }),
    ).toBe(1);
    const [event] = await em.find(AuditEvent, { action: 'revocation.requested', subjectId: id });
    expect(event).toMatchObject({ actorId: writeKeyId, partnerId: partner.id });
    expect(event.actorLabel).toMatch(/^API key “Billing sync” <phk_live_\w{17}>$/);

    const agent = t.agent();
    await signIn(agent, owner.email, owner.password);
    const activity = await agent.get('/activity');
    // The key links to the keys page, not to the team.
    expect(activity.text).toContain('<a href="/settings/api-keys">API key “Billing sync”</a>');
    expect(activity.text).toContain('requested payment revocation for');

    await t.app.get(MailWorker).sendDue(t.clock.now());
    const mail = await smtp.waitFor(contact);
    expect(mail.subject).toContain('Writers');
    expect(mail.text).toContain('31 December 2026');

    const shown = await t.http().get(`/api/v1/numbers/${id}`).set('Authorization', `Bearer ${readKey}`);
    contract.expect(shown, 'GET', '/numbers/{id}');
    expect(shown.body.revocation).toEqual(res.body.revocation);
  });

  it('replays the first answer, success or refusal, to the same key and body, acting once', async () => {
    const id = await number();
    const idem = randomUUID();
    const first = await post(id, { reason: 'Once', dry_run: false }, { idem });
    // The same body with its fields in another order.
    const again = await post(id, { dry_run: false, reason: 'Once' }, { idem });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers['idempotent-replayed']).toBe('true');
    contract.expect(again, 'POST');
    // The same address spelled another way: a retry of the same request.
    const slashed = await t
      .http()
      .post(`/api/v1/numbers/${id}/revocation/`)
      .set('Authorization', `Bearer ${writeKey}`)
      .set('Idempotency-Key', idem)
      .send({ reason: 'Once', dry_run: false });
    expect([slashed.status, slashed.headers['idempotent-replayed']]).toEqual([201, 'true']);
    expect(await counts(id)).toEqual({ revocations: 1, history: 1, requested: 1, withdrawn: 0 });

    // A refusal is the answer of its key too, also once the state that caused it is gone.
    const refusedKey = randomUUID();
    const refused = await post(id, {}, { idem: refusedKey });
    expect(refused.status).toBe(409);
    expect(refused.body.type).toBe('/api/docs#problem-revocation-already-requested');
    // Its sentence gives the termination date as the pages do, a day of the contract's zone; the type stays what a program reads.
    const terminationDate = first.body.revocation.termination_date as string;
    expect(refused.body.detail).toBe(
      `Revocation was already requested for this number: its termination date is ${longDate(terminationDate)} (Europe/Berlin). Nothing was changed.`,
    );
    expect(refused.body.detail).not.toContain(terminationDate);
    contract.expect(refused, 'POST');
    expect((await del(id)).status).toBe(200);
    const replayed = await post(id, {}, { idem: refusedKey });
    expect(replayed.status).toBe(409);
    expect(replayed.text).toBe(refused.text);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await t.em().findOneOrFail(WhatsappNumber, id)).billingState).toBe('partner_paid');
  });

  it('refuses a key sent with another body or path with 422, doing nothing', async () => {
    const [a, b] = [await number(), await number()];
    const idem = randomUUID();
    expect((await post(a, { dry_run: true }, { idem })).status).toBe(200);
    const before = await written();
    for (const [res, method] of [
      [await post(a, { dry_run: false }, { idem }), 'POST'],
      [await post(b, { dry_run: true }, { idem }), 'POST'],
      [await del(a, { idem }), 'DELETE'],
    ] as const) {
      expect(res.status).toBe(422);
      expect(res.body.type).toBe('/api/docs#problem-idempotency-key-reused');
      expect(res.body.errors).toEqual([{ field: 'Idempotency-Key', message: 'Already used for another request.' }]);
      contract.expect(res, method);
    }
    expect(await written()).toEqual(before);
  });

  it('acts once for five identical requests sent at once: the others wait their turn with 409 or get the replay', async () => {
    const id = await number();
    const idem = randomUUID();
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(id, { reason: 'Together' }, { idem })));
    const firsts = answers.filter((r) => r.status === 201 && !r.headers['idempotent-replayed']);
    expect(firsts).toHaveLength(1);
    for (const res of answers) {
      contract.expect(res, 'POST');
      if (res.status === 201) expect(res.text).toBe(firsts[0].text);
      else expect(res.body.type).toBe('/api/docs#problem-idempotency-key-in-use');
    }
    expect(await counts(id)).toEqual({ revocations: 1, history: 1, requested: 1, withdrawn: 0 });
    expect(await t.em().count(Revocation, { number: id })).toBe(1);
  });

  it('acts once for five requests with different keys sent at once: the others are refused by the number’s state', async () => {
    const id = await number();
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(id, {})));
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    for (const res of answers) contract.expect(res, 'POST');
    expect(await counts(id)).toEqual({ revocations: 1, history: 1, requested: 1, withdrawn: 0 });
  });

  it('withdraws with DELETE as the page does, once per key, then answers 409 when none is open', async () => {
    const id = await number();
    const stored = await t.em().findOneOrFail(WhatsappNumber, id, { populate: ['client'] });
    const contact = stored.client.contactEmail!;
    expect((await post(id, {})).status).toBe(201);
    const idem = randomUUID();
    const res = await del(id, { idem });
    expect(res.status).toBe(200);
    contract.expect(res, 'DELETE');
    expect(res.body).toEqual({
      number_id: id,
      number_provider_id: stored.providerId,
      withdrawn_at: new Date(START).toISOString(),
      termination_date: TERMINATION,
      client_emailed: true,
    });
    const replay = await del(id, { idem, body: {} });
    expect(replay.text).toBe(res.text);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(await counts(id)).toEqual({ revocations: 1, history: 2, requested: 1, withdrawn: 1 });
    expect((await t.em().findOneOrFail(WhatsappNumber, id)).billingState).toBe('partner_paid');
    const [event] = await t.em().find(AuditEvent, { action: 'revocation.withdrawn', subjectId: id });
    expect(event.actorId).toBe(writeKeyId);

    await t.app.get(MailWorker).sendDue(t.clock.now());
    await smtp.waitFor(contact, 2);
    expect(smtp.to(contact).map((m) => m.subject)).toContain(`Writers keeps paying for ${phoneView(stored.phoneNumber).formatted}`);

    const none = await del(id);
    expect(none.status).toBe(409);
    expect(none.body.type).toBe('/api/docs#problem-revocation-not-requested');
    contract.expect(none, 'DELETE');
  });

  it('refuses a withdrawal once the termination date has ended, naming the date as the page does, and changes nothing', async () => {
    const id = await number();
    expect((await post(id, {})).status).toBe(201);
    // The end of 31 December 2026 in Berlin.
    t.clock.set('2026-12-31T23:00:00Z');
    try {
      const before = await written();
      const res = await del(id);
      expect(res.status).toBe(409);
      contract.expect(res, 'DELETE');
      expect(res.body.type).toBe('/api/docs#problem-revocation-too-late');
      expect(res.body.detail).toBe(
        `Its termination date, ${longDate(TERMINATION)} (Europe/Berlin), has passed: the revocation can no longer be withdrawn. Nothing was changed.`,
      );
      expect(await written()).toEqual(before);
    } finally {
      t.clock.set(START);
    }
  });

  it('forgets a key after 24 hours, and one API key’s keys are not another’s', async () => {
    const id = await number();
    const idem = randomUUID();
    const otherKey = await keyFor(owner, 'Second writer', 'read_write');
    try {
      expect((await post(id, { dry_run: true }, { idem })).status).toBe(200);
      const elsewhere = await post(id, { dry_run: true, reason: 'Other key' }, { idem, key: otherKey });
      expect(elsewhere.status).toBe(200);
      expect(elsewhere.headers['idempotent-replayed']).toBeUndefined();
      t.clock.advance(23 * HOUR);
      expect((await post(id, { dry_run: true, reason: 'Changed' }, { idem })).status).toBe(422);
      t.clock.advance(2 * HOUR);
      const later = await post(id, { dry_run: true, reason: 'Changed' }, { idem });
      expect(later.status).toBe(200);
      expect(later.headers['idempotent-replayed']).toBeUndefined();
    } finally {
      t.clock.set(START);
    }
  });

  it('answers 400 without an Idempotency-Key or with a malformed one, doing nothing', async () => {
    const id = await number();
    const before = await written();
    for (const [res, method, type] of [
      [await post(id, {}, { idem: null }), 'POST', 'idempotency-key-missing'],
      [await del(id, { idem: null }), 'DELETE', 'idempotency-key-missing'],
      [await post(id, {}, { idem: 'has spaces in it' }), 'POST', 'idempotency-key-invalid'],
      [await post(id, {}, { idem: 'k'.repeat(256) }), 'POST', 'idempotency-key-invalid'],
      [await del(id, { idem: 'é' }), 'DELETE', 'idempotency-key-invalid'],
    ] as const) {
      expect(res.status).toBe(400);
      expect(res.body.type).toBe(`/api/docs#problem-${type}`);
      contract.expect(res, method);
    }
    expect(await written()).toEqual(before);
  });

  it('reads only JSON: a body of another type is a 415, not an empty body that would act', async () => {
    const id = await number();
    const before = await written();
    for (const [type, body] of [
      ['text/plain', '{"dry_run":true}'],
      ['application/x-www-form-urlencoded', 'dry_run=true'],
    ]) {
      const res = await post(id, undefined).set('Content-Type', type).send(body);
      expect(res.status, type).toBe(415);
      contract.expect(res, 'POST');
    }
    expect(await written()).toEqual(before);
  });

  it('answers a request without a valid key with 401 whatever its body: the body is not read first', async () => {
    const id = await number();
    for (const body of ['{bad', '{"dry_run":true,"dry_run":false}', 'x'.repeat(100)]) {
      for (const key of [undefined, 'phk_live_0000000000000000_junk']) {
        const req = t.http().post(`/api/v1/numbers/${id}/revocation`).set('Idempotency-Key', randomUUID()).type('json');
        if (key) req.set('Authorization', `Bearer ${key}`);
        const res = await req.send(body);
        expect(res.status, `${key ?? 'no key'}: ${body.slice(0, 20)}`).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
        contract.expect(res, 'POST');
      }
    }
    // With a key, the same bodies are read and refused as they are, and so is one above the API's 1 MB.
    expect((await post(id, undefined).type('json').send('{bad')).status).toBe(400);
    expect((await post(id, undefined).type('json').send('{"dry_run":true,"dry_run":false}')).status).toBe(422);
    const large = await post(id, { reason: 'r'.repeat(2_000_000) });
    expect(large.status).toBe(413);
    contract.expect(large, 'POST');
    expect(await counts(id)).toEqual({ revocations: 0, history: 0, requested: 0, withdrawn: 0 });
  });

  it('takes a zero-length body without a type as none, as fetch and most libraries send a body-less POST or DELETE', async () => {
    const id = await number();
    const requested = await post(id, undefined).set('Content-Length', '0');
    expect(requested.status).toBe(201);
    contract.expect(requested, 'POST');
    const withdrawn = await del(id).set('Content-Length', '0');
    expect(withdrawn.status).toBe(200);
    contract.expect(withdrawn, 'DELETE');
    expect(await counts(id)).toEqual({ revocations: 1, history: 2, requested: 1, withdrawn: 1 });
  });

  it('answers 404 for another partner’s number, whoever asks, changing nothing', async () => {
    const ours = await number();
    const before = await written();
    for (const [res, method] of [
      [await post(foreignNumber, {}), 'POST'],
      [await post(foreignNumber, { dry_run: true }), 'POST'],
      [await del(foreignNumber), 'DELETE'],
      [await post(ours, {}, { key: foreignKey }), 'POST'],
      [await del(ours, { key: foreignKey }), 'DELETE'],
      [await post('A'.repeat(22), {}), 'POST'],
    ] as const) {
      expect(res.status).toBe(404);
      contract.expect(res, method);
    }
    expect(await written()).toEqual(before);
  });

  it('refuses unknown fields and invalid values with 422 naming the field, without using up the key', async () => {
    const id = await number();
    const idem = randomUUID();
    const before = await written();
    for (const [body, field] of [
      [{ colour: 'red' }, 'body.colour'],
      [{ dry_run: 'yes' }, 'body.dry_run'],
      [{ reason: 'x'.repeat(501) }, 'body.reason'],
      [{ termination_date: '31.12.2026' }, 'body.termination_date'],
      [{ termination_date: '2026-02-30' }, 'body.termination_date'],
      [['dry_run'], 'body'],
    ] as const) {
      const res = await post(id, body, { idem });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.errors, JSON.stringify(body)).toContainEqual(expect.objectContaining({ field }));
      contract.expect(res, 'POST');
    }
    const withBody = await del(id, { body: { reason: 'none' } });
    expect(withBody.status).toBe(422);
    expect(withBody.body.errors).toEqual([{ field: 'body.reason', message: 'Unexpected field.' }]);
    contract.expect(withBody, 'DELETE');
    const query = await t
      .http()
      .post(`/api/v1/numbers/${id}/revocation?dry_run=true`)
      .set('Authorization', `Bearer ${writeKey}`)
      .set('Idempotency-Key', idem)
      .send({});
    expect(query.status).toBe(422);
    expect(query.body.errors).toEqual([{ field: 'dry_run', message: 'Unexpected parameter.' }]);
    expect(await written()).toEqual(before);
    // Refused before acting, none of them was kept for the key.
    expect((await post(id, { dry_run: true }, { idem })).status).toBe(200);
  });

  it('refuses, with 409 on termination_date, a request expecting another date than the contract gives now', async () => {
    const id = await number();
    const before = await written();
    for (const dryRun of [true, false]) {
      const res = await post(id, { termination_date: '2026-12-30', dry_run: dryRun });
      expect(res.status).toBe(409);
      expect(res.body.errors).toEqual([{ field: 'body.termination_date', message: expect.stringContaining(TERMINATION) }]);
      contract.expect(res, 'POST');
    }
    expect(await written()).toEqual(before);
  });

  it('never answers hostile input in any field, header or id with a 5xx, and writes nothing', async () => {
    const id = await number();
    const before = await written();
    const answers: { what: string; method: 'POST' | 'DELETE'; res: Response }[] = [];
    const send = async (what: string, method: 'POST' | 'DELETE', res: Promise<Response>) => answers.push({ what, method, res: await res });
    for (const value of [...HOSTILE, ...HOSTILE_TYPES]) {
      const shown = JSON.stringify(value).slice(0, 40);
      await send(`termination_date ${shown}`, 'POST', post(id, { termination_date: value }));
      // A hostile reason is only text: on a dry run it is answered, and nothing is written.
      await send(`reason ${shown}`, 'POST', post(id, { reason: value, dry_run: true }));
      await send(`dry_run ${shown}`, 'POST', post(id, { dry_run: value }));
      const plainObject = typeof value === 'object' && value !== null && !Array.isArray(value);
      await send(`body ${shown}`, 'POST', post(id, plainObject ? { ...value, dry_run: true } : value));
      if (typeof value === 'string') await send(`field named ${shown}`, 'POST', post(id, { [value]: true, dry_run: true }));
    }
    for (const value of [...HOSTILE_ENCODED, ...MALFORMED_ESCAPES]) {
      await send(`Idempotency-Key ${value.slice(0, 40)}`, 'POST', post(id, { dry_run: true }, { idem: value }));
      await send(`id ${value.slice(0, 40)}`, 'POST', post(value, { dry_run: true }));
      await send(`id ${value.slice(0, 40)}`, 'DELETE', del(value));
    }
    const wrong = answers.filter(
      ({ res }) => res.status >= 500 || res.status === 201 || /at .*\.(ts|js):\d|select |sqlite|postgres|\/work\//i.test(res.text),
    );
    expect(wrong.map(({ what, method, res }) => `${method} ${what}: ${res.status}`)).toEqual([]);
    for (const { method, res } of answers) contract.expect(res, method);
    expect(await written()).toEqual(before);
  });

  it('validated every answer of this suite against the document', () => {
    // Each answer its tests made, recorded and checked after each test: the recorder works.
    expect(contract.every.checked).toBeGreaterThan(200);
    expect(contract.every.checked / contract.every.recorded).toBeGreaterThan(0.95);
  });
});
