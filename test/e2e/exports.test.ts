import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Request, Response } from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { WhatsappNumber } from '../../src/accounts/entities/whatsapp-number.entity';
import { parseNumberFilter } from '../../src/accounts/number-filter';
import { runCli } from '../../src/cli/program';
import { AuditService } from '../../src/audit/audit.service';
import { AuditEvent } from '../../src/audit/entities/audit-event.entity';
import { RequestsInFlight } from '../../src/common/requests-in-flight';
import { DEFAULT_BATCH_SIZE, ExportsService } from '../../src/exports/exports.service';
import { statusDef } from '../../src/statuses';
import type { Partner } from '../../src/partners/entities/partner.entity';
import { Revocation } from '../../src/revocation/entities/revocation.entity';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createNumber } from '../factories/accounts';
import { createRevocation } from '../factories/revocations';
import { createTestApp, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { HOUR, MINUTE } from '../support/clock';
import { signIn } from '../support/http';

const HEADERS = [
  'Company legal name',
  'WhatsApp number',
  'Contact email',
  'Message on behalf',
  'Facebook business verification',
  'Number registration',
  'Client ID',
  'Number ID',
  'WABA Account External ID',
  'WABA Channel External ID',
  'Namespace',
  'Lifecycle status',
  'Consent status',
  'Billing state',
  'Termination date',
  'Created at',
  // Added after the seed's columns: the importer reads the file unchanged.
  'Display name',
  'Country',
  'WABA account status',
  'Timezone ID',
  'IVR',
  'Number registration preference',
  'Quality rating',
  'Messaging limit',
  'Needs attention',
  'Removal date',
];

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
// OWASP's list of characters that make a spreadsheet run a cell (plus LF).
const FORMULA_START = /^[=+\-@\t\r\n]/;
// The same, with NUL and the full-width forms some programs normalize.
const ANY_FORMULA_START = /^[=+\-@\t\r\n\u0000＝＋－＠]/;

type Agent = ReturnType<TestApp['agent']>;

/** GETs the download as raw bytes. */
function download(agent: Agent, query = '') {
  return agent
    .get(`/accounts/export.csv${query}`)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
}

/** Parses the file as strictly as a careful consumer would: RFC 4180 quotes, CRLF, header row. */
function parseCsv(body: Buffer): Record<string, string>[] {
  const text = body.toString('utf8');
  if (text.length > 0) expect(text.endsWith('\r\n')).toBe(true);
  // No bare LF outside quoted fields: every record ends with CRLF.
  const records = parse(body, {
    bom: true,
    columns: (header: string[]) => {
      expect(header).toEqual(HEADERS);
      return header;
    },
    relax_quotes: false,
    relax_column_count: false,
    record_delimiter: '\r\n',
    skip_empty_lines: false,
  }) as Record<string, string>[];
  return records;
}

/**
 * What a cell holds once parsed: the value, with a single quote before a formula start that
 * comes first, or right after a ";", a tab or a line break (where a spreadsheet splitting on
 * ";" or tab starts a cell), or before a quote there.
 */
const neutralized = (value: string) =>
  (/^[=+\-@\t\r\n\u0000＝＋－＠']/.test(value) ? `'${value}` : value).replace(/[;\t\r\n](?=[=+\-@\u0000＝＋－＠'"])/g, "$&'");

/**
 * The file as a spreadsheet reads it when its list separator is `delimiter` (";" in German or
 * French, tab when imported as text), every cell of every line: once honouring quotes where
 * they open a cell, once ignoring them, splitting lines at any CR or LF.
 */
function cellsSplitOn(body: Buffer, delimiter: string): string[] {
  const cells: string[] = [];
  for (const quote of ['"', false] as const) {
    const records = parse(body, {
      bom: true,
      delimiter,
      quote,
      relax_quotes: true,
      relax_column_count: true,
      record_delimiter: ['\r\n', '\n', '\r'],
    }) as string[][];
    for (const record of records) cells.push(...record);
  }
  return cells;
}

/** Every column of every exported number, straight from the database. */
async function expectedRows(t: TestApp, partnerId: string): Promise<Record<string, string>[]> {
  const numbers = await t
    .em()
    .find(
      WhatsappNumber,
      { partner: partnerId, billingState: { $ne: 'removed' } },
      { populate: ['client', 'wabaAccount'], orderBy: [{ providerCreatedAt: 'desc' }, { id: 'desc' }] },
    );
  const open = await t.em().find(Revocation, { partner: partnerId, withdrawnAt: null });
  const terminationDates = new Map(open.map((r) => [r.number.id, r.terminationDate]));
  const removals = new Map(open.map((r) => [r.number.id, r.removeAt.toISOString()]));
  const stuckBefore = t.clock.now().getTime() - 7 * 86_400_000;
  // The list's rule, stated from the catalogue: a problem status in a family, or stuck pending.
  const needsAttention = (n: WhatsappNumber) =>
    (
      [
        ['lifecycle', n.status],
        ['registration', n.registrationStatus],
        ['waba', n.wabaAccount.status],
        ['verification', n.wabaAccount.businessVerificationStatus],
        ['onBehalf', n.wabaAccount.messageOnBehalfStatus],
        ['consent', n.client.consentStatus],
        ['quality', n.qualityRating],
      ] as const
    ).some(([family, value]) => statusDef(family, value)?.attention) ||
    (!!statusDef('lifecycle', n.status)?.pending && n.statusChangedAt.getTime() < stuckBefore);
  return numbers.map((n) => ({
    'Company legal name': n.client.name,
    'WhatsApp number': n.phoneNumber,
    'Contact email': n.client.contactEmail ?? '',
    'Message on behalf': n.wabaAccount.messageOnBehalfStatus,
    'Facebook business verification': n.wabaAccount.businessVerificationStatus,
    'Number registration': n.registrationStatus,
    'Client ID': n.client.providerId,
    'Number ID': n.providerId,
    'WABA Account External ID': n.wabaAccount.externalId,
    'WABA Channel External ID': n.externalId,
    Namespace: n.wabaAccount.namespace ?? '',
    'Lifecycle status': n.status,
    'Consent status': n.client.consentStatus,
    'Billing state': n.billingState,
    'Termination date': terminationDates.get(n.id) ?? '',
    'Created at': n.providerCreatedAt.toISOString(),
    'Display name': n.displayName ?? '',
    Country: parsePhoneNumberFromString(n.phoneNumber)?.country ?? '',
    'WABA account status': n.wabaAccount.status,
    'Timezone ID': n.wabaAccount.timezoneId === null || n.wabaAccount.timezoneId === undefined ? '' : String(n.wabaAccount.timezoneId),
    IVR: String(n.ivr),
    'Number registration preference': n.registrationMethod ?? '',
    'Quality rating': n.qualityRating,
    'Messaging limit': n.messagingTier,
    'Needs attention': String(needsAttention(n)),
    'Removal date': removals.get(n.id) ?? '',
  }));
}

describe('CSV download of all accounts', () => {
  let t: TestApp;
  let partner: Partner;
  let owner: MemberFixture;
  let agent: Agent;

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    partner = await createPartner(t.em(), { name: 'Globex Partners' });
    owner = await createMember(t.em(), partner, { role: 'owner' });
    const base = Date.UTC(2026, 5, 1);
    for (let i = 0; i < 12; i++) {
      await createNumber(t.em(), partner, {
        providerCreatedAt: new Date(base + i * 3_600_123),
        status: i % 4 === 0 ? 'error' : 'running',
        client: { consentStatus: i % 3 === 0 ? 'pending' : 'granted', ...(i === 3 ? { contactEmail: null } : {}) },
        waba: { status: i % 5 === 0 ? 'unverified' : 'approved', ...(i === 4 ? { namespace: null } : {}) },
      });
    }
    const revoked = await createNumber(t.em(), partner, { providerCreatedAt: new Date(base - 86_400_000) });
    await createRevocation(t.em(), partner, revoked, '2026-12-31');
    const withdrawn = await createNumber(t.em(), partner, { providerCreatedAt: new Date(base - 2 * 86_400_000) });
    await createRevocation(t.em(), partner, withdrawn, '2026-12-15', { withdrawnAt: new Date() });
  });
  afterAll(() => t.close());
  // Tests move the clock: sign in afresh so the session never idles out.
  beforeEach(async () => {
    agent = t.agent();
    await signIn(agent, owner.email, owner.password);
  });

  it('downloads every number of the partner with every column as stored, newest first', async () => {
    const res = await download(agent);
    expect(res.status).toBe(200);
    const rows = parseCsv(res.body as Buffer);
    const expected = await expectedRows(t, partner.id);
    expect(rows).toHaveLength(14);
    expect(rows).toEqual(expected);
    expect(rows.find((r) => r['Termination date'] === '2026-12-31')?.['Billing state']).toBe('revocation_requested');
    expect(rows.filter((r) => r['Termination date'] !== '')).toHaveLength(1);
  });

  it('sends a UTF-8 attachment with a BOM, named after the partner and the date, never cached', async () => {
    t.clock.set('2026-11-26T23:30:00Z');
    const late = t.agent();
    await signIn(late, owner.email, owner.password);
    const res = await download(late);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="whatsapp-accounts-${partner.slug}-2026-11-26.csv"`);
    expect(res.headers['cache-control']).toBe('no-store');
    expect((res.body as Buffer).subarray(0, 3)).toEqual(BOM);
    expect((res.body as Buffer).subarray(3).toString('utf8').split('\r\n')[0]).toBe(HEADERS.join(','));
  });

  it('leaves the BOM out with ?bom=0 and refuses other values with a 400 page', async () => {
    const res = await download(agent, '?bom=0');
    expect(res.status).toBe(200);
    const body = res.body as Buffer;
    expect(body.subarray(0, 3)).not.toEqual(BOM);
    expect(body.toString('utf8').startsWith('Company legal name,')).toBe(true);
    expect(parseCsv(body)).toHaveLength(14);
    const bad = await agent.get('/accounts/export.csv?bom=yes');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('can only be 0 or 1.');
    expect((await agent.get('/accounts/export.csv?nope=1')).status).toBe(400);
  });

  it('exports only what the filters select, in the chosen sort', async () => {
    const all = await expectedRows(t, partner.id);
    const cases: [string, (r: Record<string, string>) => boolean][] = [
      ['?lifecycle=error', (r) => r['Lifecycle status'] === 'error'],
      ['?consent=pending', (r) => r['Consent status'] === 'pending'],
      ['?billing=revocation_requested', (r) => r['Billing state'] === 'revocation_requested'],
    ];
    for (const [query, keep] of cases) {
      const rows = parseCsv((await download(agent, query)).body as Buffer);
      expect(rows, query).toEqual(all.filter(keep));
      expect(rows.length, query).toBeGreaterThan(0);
    }
    const one = all[5];
    const bySearch = parseCsv((await download(agent, `?q=${encodeURIComponent(one['Number ID'])}`)).body as Buffer);
    expect(bySearch).toEqual([one]);
    const attention = parseCsv((await download(agent, '?attention=1')).body as Buffer);
    expect(attention.map((r) => r['Number ID']).sort()).toEqual(
      all
        .filter((r) => r['Lifecycle status'] === 'error')
        .map((r) => r['Number ID'])
        .sort(),
    );
    const byPhone = parseCsv((await download(agent, '?sort=phone')).body as Buffer);
    expect(byPhone.map((r) => r['WhatsApp number'])).toEqual(all.map((r) => r['WhatsApp number']).sort());
    const none = await download(agent, '?q=nothing-matches-this');
    expect(parseCsv(none.body as Buffer)).toEqual([]);
    expect((none.body as Buffer).toString('utf8')).toBe(`\ufeff${HEADERS.join(',')}\r\n`);
  });

  it("never exports another partner's numbers or numbers removed from the hub", async () => {
    const other = await createPartner(t.em());
    const theirs = await createNumber(t.em(), other, { client: { name: 'Globex Partners Rival' }, providerId: 'CH-RIVAL-1' });
    const removed = await createNumber(t.em(), partner, { billingState: 'removed', providerId: 'CH-REMOVED-1' });
    const text = ((await download(agent)).body as Buffer).toString('utf8');
    expect(text).not.toContain(theirs.providerId);
    expect(text).not.toContain(theirs.phoneNumber);
    expect(text).not.toContain(removed.providerId);
    expect(parseCsv(Buffer.from(text))).toHaveLength(14);
    expect((await download(agent, '?q=rival')).body.toString()).not.toContain('Rival');
  });

  it('lets members export too, and sends signed-out visitors to the sign-in page', async () => {
    const member = await createMember(t.em(), partner, { role: 'member' });
    const memberAgent = t.agent();
    await signIn(memberAgent, member.email, member.password);
    const res = await download(memberAgent);
    expect(res.status).toBe(200);
    expect(parseCsv(res.body as Buffer)).toHaveLength(14);
    const anonymous = await t.http().get('/accounts/export.csv');
    expect(anonymous.status).toBe(303);
    // Signing in leads back to the download.
    expect(anonymous.headers.location).toBe('/login?next=%2Faccounts%2Fexport.csv');
  });

  it('records each export in Activity with its filters and row count', async () => {
    const member = await createMember(t.em(), partner, { role: 'member', name: 'Audit Person' });
    const a = t.agent();
    await signIn(a, member.email, member.password);
    await download(a, '?lifecycle=error&lifecycle=suspended&sort=client');
    const events = await t.em().find(AuditEvent, { action: 'accounts.exported', actorId: member.user.id });
    expect(events).toHaveLength(1);
    expect(events[0].partnerId).toBe(partner.id);
    expect(events[0].actorLabel).toBe(`Audit Person <${member.email}>`);
    expect(events[0].data).toEqual({ filters: { lifecycle: 'error, suspended', sort: 'client asc' }, rows: 3, completed: true });
    expect(events[0].requestId).toBeTruthy();
  });

  it('gives way to pages: between batches a download waits while other requests are being served', async () => {
    const busy = await createPartner(t.em());
    const m = await createMember(t.em(), busy);
    // Two batches and a half: three reads, and two edges between them.
    const rows = DEFAULT_BATCH_SIZE * 2.5;
    await bulkNumbers(t, busy, rows);
    const a = t.agent();
    await signIn(a, m.email, m.password);
    const exports = t.app.get(ExportsService);
    const inFlight = t.app.get(RequestsInFlight);
    const giveWay = vi.spyOn(exports, 'giveWay');
    const waited = async () => Promise.all(giveWay.mock.results.map((r) => r.value as Promise<boolean>));

    // Alone, the download does not count itself as a page.
    expect((await a.get('/accounts/export.csv')).status).toBe(200);
    expect(await waited()).toEqual([false, false]);
    expect(inFlight.count).toBe(0);

    // With a page being served, it waits at each batch edge, and still completes.
    giveWay.mockClear();
    const page = new EventEmitter() as unknown as Response;
    inFlight.track({} as Request, page, () => undefined);
    const res = await a.get('/accounts/export.csv');
    expect(res.status).toBe(200);
    expect(res.text.trim().split('\r\n')).toHaveLength(rows + 1);
    expect(await waited()).toEqual([true, true]);
    page.emit('close');
    expect(inFlight.count).toBe(0);
    giveWay.mockRestore();
  });

  it('records an export the client abandoned halfway as incomplete', async () => {
    const big = await createPartner(t.em());
    const m = await createMember(t.em(), big);
    await bulkNumbers(t, big, 3000);
    const a = t.agent();
    await signIn(a, m.email, m.password);
    const cookie = (a as unknown as { jar: { getCookies(o: object): { toValueString(): string }[] } }).jar
      .getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false })
      .map((c) => c.toValueString())
      .join('; ');
    // The second batch is read only once the server has seen the client go. Left to timing,
    // the socket buffers can take the whole file (600 kB here) before the server notices.
    const server = t.app.getHttpServer() as Server;
    let clientGone: Promise<unknown> = Promise.resolve();
    server.once('connection', (socket: Socket) => (clientGone = new Promise((gone) => socket.once('close', gone))));
    const exports = t.app.get(ExportsService) as unknown as { readBatch(...args: unknown[]): Promise<unknown> };
    const readBatch = exports.readBatch.bind(exports);
    const reads = vi.spyOn(exports, 'readBatch').mockImplementation(async (...args) => {
      if (reads.mock.calls.length === 2) {
        await clientGone;
        await new Promise((resolve) => setImmediate(resolve));
      }
      return readBatch(...args);
    });
    await new Promise<void>((resolve, reject) => {
      const req = httpGet(`${t.url}/accounts/export.csv`, { headers: { cookie } }, (res) => {
        expect(res.statusCode).toBe(200);
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (err) => (err.message === 'socket hang up' ? resolve() : reject(err)));
    });
    // Recorded once the server has noticed; vi.waitFor's own 1 s is short on a loaded machine.
    await vi.waitFor(
      async () => {
        const events = await t.em().find(AuditEvent, { action: 'accounts.exported', actorId: m.user.id });
        expect(events).toHaveLength(1);
        expect(events[0].data).toMatchObject({ completed: false });
        expect(events[0].data!.rows as number).toBeLessThan(3000);
      },
      { timeout: 10_000, interval: 50 },
    );
    // It stopped reading: the third batch was never asked for.
    expect(reads.mock.calls.length).toBeLessThanOrEqual(2);
    reads.mockRestore();
  });
});

describe('the row budget of downloads', () => {
  let t: TestApp;
  let partner: Partner;
  let owner: MemberFixture;
  // A small budget: 20 rows an hour per person.
  beforeAll(async () => {
    t = await createTestApp({ listen: true, env: { EXPORT_ROWS_PER_HOUR: '20' } });
    partner = await createPartner(t.em(), { name: 'Budget Partners' });
    owner = await createMember(t.em(), partner, { role: 'owner' });
    for (let i = 0; i < 8; i++) {
      await createNumber(t.em(), partner, { status: i < 3 ? 'error' : 'running', providerCreatedAt: new Date(Date.UTC(2026, 5, 1, i)) });
    }
  });
  afterAll(() => t.close());

  const spentRows = async (userId: string) =>
    (await t.em().find(AuditEvent, { action: 'accounts.exported', actorId: userId })).reduce((n, e) => n + Number(e.data!.rows), 0);

  it('lets a person download files of any size until their rows are spent, then answers 429 with Retry-After until rows free up', async () => {
    const member = await createMember(t.em(), partner, { role: 'member' });
    t.clock.set('2026-11-27T09:00:00Z');
    let a = t.agent();
    await signIn(a, member.email, member.password);
    // 8 + 3 + 8 = 19 rows in three files; filtered downloads cost what they hold.
    expect(parseCsv((await download(a)).body as Buffer)).toHaveLength(8);
    t.clock.advance(10 * MINUTE);
    expect(parseCsv((await download(a, '?lifecycle=error')).body as Buffer)).toHaveLength(3);
    t.clock.advance(MINUTE);
    expect(parseCsv((await download(a)).body as Buffer)).toHaveLength(8);
    // One row is left: the 8-row file does not fit, the 3-row one neither, an empty one does.
    const blocked = await a.get('/accounts/export.csv');
    expect(blocked.status).toBe(429);
    expect(blocked.headers['content-type']).toMatch(/^text\/html/);
    expect(blocked.text).toContain('Too many requests');
    expect(blocked.text).toContain('You have downloaded 19 rows in the last hour, and 20 an hour are allowed.');
    expect(blocked.text).toContain('This download has 8 rows: you can download it in 49 minutes');
    // Free once the first file (8 rows) is an hour old: 11 rows spent, 8 more fit.
    expect(Number(blocked.headers['retry-after'])).toBe(49 * 60);
    expect((await a.get('/accounts/export.csv?lifecycle=error')).status).toBe(429);
    const empty = await download(a, '?q=nothing-matches-this');
    expect(empty.status).toBe(200);
    expect(parseCsv(empty.body as Buffer)).toEqual([]);
    expect(await spentRows(member.user.id)).toBe(19);
    // Another person of the same partner has a budget of their own.
    const other = t.agent();
    await signIn(other, owner.email, owner.password);
    expect((await download(other)).status).toBe(200);

    t.clock.advance(49 * MINUTE - 1000);
    a = t.agent();
    await signIn(a, member.email, member.password);
    expect((await a.get('/accounts/export.csv')).status).toBe(429);
    t.clock.advance(1000);
    expect(parseCsv((await download(a)).body as Buffer)).toHaveLength(8);
    t.clock.advance(2 * HOUR);
  });

  it('lets one file larger than the whole budget through when nothing else was downloaded within the hour', async () => {
    const big = await createPartner(t.em());
    const m = await createMember(t.em(), big);
    await bulkNumbers(t, big, 30);
    t.clock.set('2026-11-28T09:00:00Z');
    const a = t.agent();
    await signIn(a, m.email, m.password);
    expect(parseCsv((await download(a)).body as Buffer)).toHaveLength(30);
    const again = await a.get('/accounts/export.csv?q=bulk%201');
    expect(again.status).toBe(429);
    expect(Number(again.headers['retry-after'])).toBe(3600);
    t.clock.advance(HOUR);
  });

  it('counts downloads still running at their size: of three started together, only what fits passes', async () => {
    const busy = await createPartner(t.em());
    const m = await createMember(t.em(), busy);
    await bulkNumbers(t, busy, 12);
    t.clock.set('2026-11-29T09:00:00Z');
    const a = t.agent();
    await signIn(a, m.email, m.password);
    // 12 + 12 > 20: whichever starts first passes, the others see it running.
    const together = await Promise.all([1, 2, 3].map(() => a.get('/accounts/export.csv')));
    expect(together.map((r) => r.status).sort()).toEqual([200, 429, 429]);
    expect(await spentRows(m.user.id)).toBe(12);
    t.clock.advance(HOUR);
  });

  it('still counts a download whose Activity event could not be written (a database failure)', async () => {
    const flaky = await createPartner(t.em());
    const m = await createMember(t.em(), flaky);
    await bulkNumbers(t, flaky, 12);
    t.clock.set('2026-11-30T09:00:00Z');
    let a = t.agent();
    await signIn(a, m.email, m.password);
    const audit = t.app.get(AuditService);
    vi.spyOn(audit, 'record').mockImplementationOnce(() => {
      throw new Error('database gone');
    });
    try {
      expect(parseCsv((await download(a)).body as Buffer)).toHaveLength(12);
    } finally {
      vi.restoreAllMocks();
    }
    expect(await spentRows(m.user.id)).toBe(0);
    expect(t.logs.some((l) => l.includes('could not record the export in the audit log'))).toBe(true);
    // 12 + 12 > 20: the unrecorded 12 rows still count, for their hour.
    expect((await a.get('/accounts/export.csv')).status).toBe(429);
    t.clock.advance(HOUR);
    a = t.agent();
    await signIn(a, m.email, m.password);
    expect((await download(a)).status).toBe(200);
    t.clock.advance(HOUR);
  });

  it('refuses a download link followed from another site without spending anything', async () => {
    const m = await createMember(t.em(), partner);
    const a = t.agent();
    await signIn(a, m.email, m.password);
    const refused = await a.get('/accounts/export.csv').set('Sec-Fetch-Site', 'cross-site');
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('started from another site');
    expect(await t.em().count(AuditEvent, { action: 'accounts.exported', actorId: m.user.id })).toBe(0);
    // From the hub's own pages (or typed in), it downloads.
    expect((await a.get('/accounts/export.csv').set('Sec-Fetch-Site', 'same-origin')).status).toBe(200);
    expect((await a.get('/accounts/export.csv').set('Sec-Fetch-Site', 'none')).status).toBe(200);
  });
});

describe('hostile values in the CSV', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  // The OWASP formula starts, quotes, delimiters, line breaks, emoji and bidi marks.
  const HOSTILE = [
    '=HYPERLINK("http://evil.example","click")',
    '+49 (0) 151',
    '-2+3',
    '@SUM(A1:A2)',
    '\tTabbed',
    '\rCarriage',
    '\nLinefeed',
    'He said "hi", then left',
    'Comma, Inc.',
    'Line one\r\nLine two\nLine three',
    'Smile 😀 GmbH',
    '\u202Eevil\u202C txt.exe',
    '\u200Fשלום Ltd',
    "'Tis the Season Ltd",
    '＝1+1',
    '  spaced  ',
    // Cells that a spreadsheet splitting lines on ";" or tab starts in the middle of ours.
    "Acme GmbH;=cmd|' /C calc'!A0;",
    'Tabbed\t=1+1',
    'Two lines\n=1+1',
    'Semi;"=1+1"',
  ];

  let partner: Partner;
  let body: Buffer;
  beforeAll(async () => {
    partner = await createPartner(t.em(), { name: 'Hostile Partners' });
    const owner = await createMember(t.em(), partner);
    for (const [i, value] of HOSTILE.entries()) {
      await createNumber(t.em(), partner, {
        client: { name: value, contactEmail: `${value}@x.example`, providerId: `-CL${i}` },
        waba: { namespace: value },
        displayName: value,
        providerCreatedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
      });
    }
    const agent = t.agent();
    await signIn(agent, owner.email, owner.password);
    body = (await download(agent)).body as Buffer;
  });

  it('keeps every hostile value and leaves no cell that a spreadsheet would run', async () => {
    const rows = parseCsv(body);
    const expected = await expectedRows(t, partner.id);
    expect(rows).toHaveLength(HOSTILE.length);
    for (const [i, row] of rows.entries()) {
      for (const header of HEADERS) {
        const cell = row[header];
        const want = expected[i][header];
        if (header === 'WhatsApp number') {
          // Validated E.164: exactly as stored, "+" and all.
          expect(cell).toBe(want);
          continue;
        }
        expect(FORMULA_START.test(cell), `${header}: ${JSON.stringify(cell)}`).toBe(false);
        expect(cell, header).toBe(neutralized(want));
      }
    }
    expect(rows.map((r) => r['Company legal name']).sort()).toEqual(HOSTILE.map(neutralized).sort());
    // The finding: quoted, so a ";" spreadsheet keeps it in one cell, and neutralized inside.
    expect(body.toString('utf8')).toContain(`\r\n"Acme GmbH;'=cmd|' /C calc'!A0;",`);
  });

  it('quotes every cell that holds a separator of any locale, a quote or a line break', () => {
    const text = body.toString('utf8');
    for (const value of HOSTILE.filter((v) => /[,;\t"\r\n]/.test(v))) {
      expect(text, JSON.stringify(value)).toContain(`"${neutralized(value).replaceAll('"', '""')}"`);
    }
  });

  it.each([
    ['";" (German, French…)', ';'],
    ['tab', '\t'],
  ])('leaves no cell that starts a formula when a spreadsheet splits lines on %s', (_name, delimiter) => {
    const cells = cellsSplitOn(body, delimiter);
    expect(cells.length).toBeGreaterThan(HOSTILE.length);
    const formulas = cells.filter((cell) => ANY_FORMULA_START.test(cell));
    expect(formulas).toEqual([]);
  });
});

describe('round trip through accounts:import', () => {
  let db: TestDatabase;
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp({ database: db });
    dir = mkdtempSync(join(tmpdir(), 'hub-export-'));
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Everything the partner's numbers are made of, as stored. */
  async function snapshot(partnerId: string) {
    const conn = t.em().getConnection();
    const out: Record<string, unknown[]> = {};
    for (const table of ['client', 'waba_account', 'whatsapp_number', 'number_status_change', 'revocation']) {
      out[table] = await conn.execute(`select * from ${table} where partner_id = ? order by id`, [partnerId]);
    }
    return out;
  }

  it('imports the downloaded file back without changing anything, hostile values included', async () => {
    const partner = await createPartner(t.em(), { name: 'Round Trip Partners' });
    const owner = await createMember(t.em(), partner);
    // Values the import accepts (it refuses control characters and line breaks) that a
    // spreadsheet would run, or that need quoting.
    const names = [
      '=HYPERLINK("http://evil.example","click")',
      '+Plus Retail Ltd',
      '-Minus Foods SA',
      '@Mention GmbH',
      'He said "hi", then left Ltd',
      'Comma, Inc.',
      'Smile 😀 GmbH',
      '\u200Fשלום Ltd',
      "'Tis the Season Ltd",
      '＝Fullwidth KK',
      'Café Lumière SARL',
      'Semi;Colon SARL',
    ];
    for (const [i, name] of names.entries()) {
      await createNumber(t.em(), partner, {
        client: {
          name,
          providerId: i % 2 ? `-CL${i}` : `CL${i}`,
          consentStatus: i % 3 ? 'granted' : 'withdrawn',
          ...(i === 1 ? { contactEmail: null } : { contactEmail: `${i % 2 ? '=' : '+'}ops${i}@client.example` }),
        },
        waba: { namespace: i === 2 ? null : `${i % 2 ? '-' : '@'}${i}_abcd`, messageOnBehalfStatus: i % 2 ? 'submitted' : 'approved' },
        status: i % 4 ? 'running' : 'error',
        registrationStatus: i % 5 ? 'registered' : 'pending',
        providerCreatedAt: new Date(Date.UTC(2026, 2, 2, 9, 15, i, i * 7)),
      });
    }
    const revoked = await createNumber(t.em(), partner, { client: { name: 'Revoked Co' } });
    await createRevocation(t.em(), partner, revoked, '2026-12-31');
    const before = await snapshot(partner.id);

    const agent = t.agent();
    await signIn(agent, owner.email, owner.password);
    const file = join(dir, 'export.csv');
    writeFileSync(file, (await download(agent)).body as Buffer);

    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const code = await runCli(['accounts:import', '--partner', partner.slug, file], { NODE_ENV: 'test', LOG_LEVEL: 'silent', ...db.env });
      expect(error.mock.calls).toEqual([]);
      expect(code).toBe(0);
      expect(String(log.mock.calls.at(-1)?.[0])).toContain(`0 numbers created, 0 updated, ${names.length + 1} unchanged, 0 status changes`);
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
    expect(await snapshot(partner.id)).toEqual(before);
  });
});

describe('ExportsService.writeCsv', () => {
  let t: TestApp;
  let partner: Partner;
  let service: ExportsService;
  const TOTAL = 2500;

  beforeAll(async () => {
    t = await createTestApp();
    partner = await createPartner(t.em());
    await bulkNumbers(t, partner, TOTAL, { sameTimestampEvery: 7 });
    service = t.app.get(ExportsService);
  });
  afterAll(() => t.close());

  it('reads in keyset batches and writes each one before reading the next, with no row lost or repeated at batch edges', async () => {
    const readBatch = vi.spyOn(service as unknown as { readBatch: () => Promise<unknown> }, 'readBatch');
    let batchesAtFirstChunk = -1;
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        if (batchesAtFirstChunk < 0) batchesAtFirstChunk = readBatch.mock.calls.length;
        chunks.push(chunk);
        done();
      },
    });
    const filter = parseNumberFilter({});
    const result = await service.writeCsv(partner.id, filter, sink, { batchSize: 100 });
    expect(result).toEqual({ rows: TOTAL, completed: true });
    expect(readBatch.mock.calls.length).toBe(26);
    expect(batchesAtFirstChunk).toBe(1);
    const rows = parseCsv(Buffer.concat(chunks));
    expect(rows).toHaveLength(TOTAL);
    expect(new Set(rows.map((r) => r['Number ID'])).size).toBe(TOTAL);
    const times = rows.map((r) => Date.parse(r['Created at']));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    readBatch.mockRestore();
  });

  it('yields to the event loop between batches, so other requests are served while it runs', async () => {
    let ticks = 0;
    let running = true;
    const tick = () => {
      if (!running) return;
      ticks++;
      setImmediate(tick);
    };
    setImmediate(tick);
    const sink = new Writable({
      write(_chunk, _enc, done) {
        done();
      },
    });
    const result = await service.writeCsv(partner.id, parseNumberFilter({}), sink, { batchSize: 100 });
    running = false;
    expect(result.rows).toBe(TOTAL);
    // At least one turn of the event loop per batch boundary (25 of them).
    expect(ticks).toBeGreaterThanOrEqual(25);
  });

  it('keeps every sort complete across batches', async () => {
    for (const sort of ['client', 'phone'] as const) {
      const chunks: Buffer[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          chunks.push(chunk);
          done();
        },
      });
      const result = await service.writeCsv(partner.id, parseNumberFilter({ sort }), sink, { batchSize: 333, bom: false });
      expect(result.rows).toBe(TOTAL);
      const rows = parseCsv(Buffer.concat(chunks));
      expect(new Set(rows.map((r) => r['Number ID'])).size).toBe(TOTAL);
    }
  });

  it('reports the rows written so far, not an error, when the output breaks while it waits for it to drain', async () => {
    const stuck = new Writable({
      highWaterMark: 1024,
      write() {
        // Never takes more: the client stopped reading, then its connection is reset.
      },
    });
    const reads = vi.spyOn(service as unknown as { readBatch: () => Promise<unknown> }, 'readBatch');
    const done = service.writeCsv(partner.id, parseNumberFilter({}), stuck, { batchSize: 500 });
    await vi.waitFor(() => expect(stuck.writableNeedDrain).toBe(true), { timeout: 10_000, interval: 20 });
    stuck.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    const result = await done;
    expect(result.completed).toBe(false);
    expect(result.rows).toBeGreaterThan(0);
    expect(result.rows).toBeLessThan(500);
    expect(reads.mock.calls.length).toBe(1);
    reads.mockRestore();
  });

  it('stops reading when aborted while the writer is slow, and waits for it (backpressure)', async () => {
    const readBatch = vi.spyOn(service as unknown as { readBatch: () => Promise<unknown> }, 'readBatch');
    const abort = new AbortController();
    let written = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(_chunk, _enc, done) {
        written++;
        if (written === 3) abort.abort();
        setTimeout(done, 5);
      },
    });
    const result = await service.writeCsv(partner.id, parseNumberFilter({}), slow, { signal: abort.signal, batchSize: 500 });
    expect(result.completed).toBe(false);
    expect(result.rows).toBeLessThan(TOTAL);
    expect(readBatch.mock.calls.length).toBe(1);
    readBatch.mockRestore();
  });
});

/** Many numbers at once (insertMany), for batch boundaries and disconnects. */
async function bulkNumbers(t: TestApp, partner: Partner, count: number, o: { sameTimestampEvery?: number } = {}) {
  const first = await createNumber(t.em(), partner, { providerCreatedAt: new Date(Date.UTC(2025, 0, 1)) });
  const em = t.em();
  const rows: object[] = [];
  const base = Date.UTC(2026, 0, 1);
  for (let i = 1; i < count; i++) {
    const ts = o.sameTimestampEvery ? base + Math.floor(i / o.sameTimestampEvery) * 1000 : base + i * 1000;
    const id = `${partner.id.slice(0, 10)}${String(i).padStart(12, '0')}`;
    rows.push({
      id,
      createdAt: new Date(),
      updatedAt: new Date(),
      partner: partner.id,
      client: first.client.id,
      wabaAccount: first.wabaAccount.id,
      providerId: `CHB${i}`,
      externalId: String(300_000_000_000 + i),
      phoneNumber: `+4916${String(i).padStart(9, '0')}`,
      displayName: `Bulk ${i}`,
      status: 'running',
      statusChangedAt: new Date(ts),
      registrationStatus: 'registered',
      billingState: 'partner_paid',
      providerCreatedAt: new Date(ts),
      clientName: `${first.clientName} ${i % 10}`,
      searchText: `bulk ${i}`,
    });
    if (rows.length === 500) await em.insertMany(WhatsappNumber, rows.splice(0) as never[]);
  }
  if (rows.length) await em.insertMany(WhatsappNumber, rows as never[]);
}
