import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WhatsappNumber } from '../../src/accounts/entities/whatsapp-number.entity';
import { parseNumberFilter } from '../../src/accounts/number-filter';
import { AuditEvent } from '../../src/audit/entities/audit-event.entity';
import { User } from '../../src/auth/entities/user.entity';
import { ExportsService } from '../../src/exports/exports.service';
import type { Partner } from '../../src/partners/entities/partner.entity';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createNumber } from '../factories/accounts';
import { createRevocation } from '../factories/revocations';
import { createTestApp, type TestApp } from '../support/app';
import { HOUR, MINUTE } from '../support/clock';
import { signIn } from '../support/http';

type Agent = ReturnType<TestApp['agent']>;

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The headers a person sees, stated apart from the code; dates name the reader's zone. */
const headers = (zone: string) => [
  'Company legal name',
  'WhatsApp number',
  'Display name',
  'Country',
  'Contact email',
  'Message on behalf',
  'Message on behalf code',
  'Facebook business verification',
  'Facebook business verification code',
  'Number registration',
  'Number registration code',
  'Client ID',
  'Number ID',
  'WABA Account External ID',
  'WABA Channel External ID',
  'Namespace',
  'Number status',
  'Number status code',
  'Consent status',
  'Consent status code',
  'Billing state',
  'Billing state code',
  'Termination date',
  `Created at (${zone})`,
  'WABA account status',
  'WABA account status code',
  'Timezone',
  'Timezone ID',
  'IVR',
  'Number registration preference',
  'Quality rating',
  'Quality rating code',
  'Messaging limit',
  'Messaging limit code',
  'Needs attention',
  `Removal date (${zone})`,
];

// The CSV tests' hostile values: formula starts, quotes, separators, line breaks, bidi marks.
const HOSTILE = [
  "=cmd|' /C calc'!A0",
  '=HYPERLINK("http://evil.example","click")',
  '+1+1',
  '-2',
  '@SUM(1)',
  '\t=1+1',
  '\r=1+1',
  '＝1+1',
  "'Tis the Season Ltd",
  'He said "hi", then left',
  "Acme GmbH;=cmd|' /C calc'!A0;",
  'Smile 😀 GmbH',
  '\u202Eevil\u202C txt.exe',
  // What XML cannot carry as is, and a value that looks like the file's own escape for it.
  'Bell\u0007 Ltd',
  'Under_x0041_score ',
];

const binary = (req: ReturnType<Agent['get']>) =>
  req.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });

async function readXlsx(body: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as unknown as ArrayBuffer);
  expect(wb.worksheets).toHaveLength(1);
  return wb.worksheets[0];
}

/** The sheet's rows as header → cell, the header row checked. */
function rowsOf(sheet: ExcelJS.Worksheet, zone: string): Map<string, ExcelJS.Cell>[] {
  const names = headers(zone);
  expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(names);
  const out: Map<string, ExcelJS.Cell>[] = [];
  for (let r = 2; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    out.push(new Map(names.map((h, i) => [h, row.getCell(i + 1)])));
  }
  return out;
}

/**
 * A string cell's text as a spreadsheet program reads it: ECMA-376's `_xHHHH_` escape (for the
 * characters XML cannot carry) decoded. exceljs decodes it in shared strings only, not in the
 * inline strings this file holds.
 */
const asExcelReads = (value: ExcelJS.CellValue) =>
  String(value).replace(/_x([0-9A-Fa-f]{4})_/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));

const csvRows = (body: Buffer) => parse(body, { bom: true, columns: true, record_delimiter: '\r\n' }) as Record<string, string>[];

describe('Excel download of the accounts list', () => {
  let t: TestApp;
  let partner: Partner;
  let owner: MemberFixture;
  let agent: Agent;
  const ZONE = 'Europe/Berlin';
  let revokedClientId: string;

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2026-11-20T09:00:00Z');
    partner = await createPartner(t.em(), { name: 'Sheet Partners' });
    owner = await createMember(t.em(), partner, { role: 'owner' });
    await t.em().nativeUpdate(User, { id: owner.user.id }, { timeZone: ZONE });
    for (const [i, name] of HOSTILE.entries()) {
      await createNumber(t.em(), partner, {
        client: { name, providerId: `-CL${i}`, contactEmail: `${i}@client.example` },
        waba: { namespace: name, externalId: `10000000000000000${i % 10}`, timezoneId: i === 0 ? 900 : 47 },
        displayName: name,
        // One in summer time (UTC+2 in Berlin), the others in winter (UTC+1).
        providerCreatedAt: i === 0 ? new Date('2026-07-01T22:30:00Z') : new Date(Date.UTC(2026, 0, 10, 8, 0, i)),
        externalId: `30000000000000000${i % 10}`,
        phoneNumber: `+4915100000${String(i).padStart(3, '0')}`,
        status: i % 3 === 0 ? 'error' : 'running',
        ivr: i === 1,
      });
    }
    const revoked = await createNumber(t.em(), partner, {
      client: { name: 'Revoked GmbH' },
      phoneNumber: '+34675168435',
      providerCreatedAt: new Date('2025-12-01T00:00:00Z'),
    });
    await createRevocation(t.em(), partner, revoked, '2026-12-31');
    revokedClientId = revoked.client.id;
    agent = t.agent();
    await signIn(agent, owner.email, owner.password);
  });
  afterAll(() => t.close());

  it('sends a workbook attachment named like the CSV, never cached', async () => {
    const res = await binary(agent.get('/accounts/export.xlsx'));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(XLSX_TYPE);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="whatsapp-accounts-${partner.slug}-2026-11-20.xlsx"`);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('holds the rows of the CSV, with the header frozen and filtered, phones and ids as text as stored', async () => {
    const sheet = await readXlsx((await binary(agent.get('/accounts/export.xlsx'))).body as Buffer);
    const csv = csvRows((await binary(agent.get('/accounts/export.csv'))).body as Buffer);
    const rows = rowsOf(sheet, ZONE);
    expect(rows).toHaveLength(csv.length);
    expect(rows).toHaveLength(HOSTILE.length + 1);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.autoFilter).toBe(`A1:AJ${rows.length + 1}`);
    for (const [i, row] of rows.entries()) {
      for (const [header, csvHeader] of [
        ['WhatsApp number', 'WhatsApp number'],
        ['Number ID', 'Number ID'],
        ['Client ID', 'Client ID'],
        ['WABA Account External ID', 'WABA Account External ID'],
        ['WABA Channel External ID', 'WABA Channel External ID'],
      ]) {
        const cell = row.get(header)!;
        expect(cell.type, header).toBe(ExcelJS.ValueType.String);
        expect(cell.numFmt, header).toBe('@');
        // The CSV writes these exactly as stored (ids may be neutralized there: not "-CL").
        expect(String(cell.value).replace(/^'/, ''), header).toBe(csv[i][csvHeader].replace(/^'/, ''));
      }
      expect(String(row.get('WhatsApp number')!.value)).toMatch(/^\+\d+$/);
      // 18-digit ids: every digit, no scientific notation.
      if (i < HOSTILE.length) expect(String(row.get('WABA Channel External ID')!.value)).toMatch(/^30{16}\d$/);
    }
    expect(rows.map((r) => r.get('Number ID')!.value)).toEqual(csv.map((r) => r['Number ID']));
  });

  it('shows dates as date cells on the reader’s wall clock, summer time included', async () => {
    const rows = rowsOf(await readXlsx((await binary(agent.get('/accounts/export.xlsx?sort=created&dir=asc'))).body as Buffer), ZONE);
    const created = rows.map((r) => r.get(`Created at (${ZONE})`)!);
    for (const cell of created) expect(cell.value).toBeInstanceOf(Date);
    // Oldest first: the revoked number (1 Dec 2025 00:00 UTC = 01:00 in Berlin), then January (UTC+1), then July (UTC+2).
    expect((created[0].value as Date).toISOString()).toBe('2025-12-01T01:00:00.000Z');
    expect((created[1].value as Date).toISOString()).toBe('2026-01-10T09:00:01.000Z');
    expect((created.at(-1)!.value as Date).toISOString()).toBe('2026-07-02T00:30:00.000Z');
    const revoked = rows[0];
    expect((revoked.get('Termination date')!.value as Date).toISOString()).toBe('2026-12-31T00:00:00.000Z');
    expect(revoked.get(`Removal date (${ZONE})`)!.value).toBeInstanceOf(Date);
    expect(rows[1].get(`Removal date (${ZONE})`)!.value).toBeNull();
  });

  it('names every status by its label and its code, and the facts a person reads', async () => {
    const rows = rowsOf(await readXlsx((await binary(agent.get('/accounts/export.xlsx?lifecycle=error&sort=phone'))).body as Buffer), ZONE);
    expect(rows.length).toBe(Math.ceil(HOSTILE.length / 3));
    for (const row of rows) {
      expect(row.get('Number status')!.value).toBe('Error');
      expect(row.get('Number status code')!.value).toBe('error');
      expect(row.get('Needs attention')!.value).toBe('Yes');
      expect(row.get('Country')!.value).toBe('Germany');
      expect(row.get('Number registration preference')!.value).toBe('SMS');
      expect(row.get('Quality rating code')!.value).toBe('green');
      expect(row.get('Messaging limit code')!.value).toBe('tier_1k');
      expect(row.get('Billing state code')!.value).toBe('partner_paid');
    }
    const phones = rows.map((r) => String(r.get('WhatsApp number')!.value));
    expect(phones).toEqual([...phones].sort());
    const first = rows.find((r) => r.get('Company legal name')!.value === HOSTILE[0])!;
    expect(first.get('Timezone')!.value).toBe('unknown (900)');
    expect(first.get('Timezone ID')!.value).toBe(900);
  });

  it('keeps every hostile value as a plain string cell: no cell anywhere holds a formula', async () => {
    const body = (await binary(agent.get('/accounts/export.xlsx'))).body as Buffer;
    const sheet = await readXlsx(body);
    const rows = rowsOf(sheet, ZONE);
    const names = rows.map((r) => r.get('Company legal name')!);
    for (const cell of names) expect(cell.type).toBe(ExcelJS.ValueType.String);
    // Exactly as stored: a carriage return is not read as a line feed, a control character survives.
    const asRead = [...HOSTILE, 'Revoked GmbH'];
    expect(names.map((c) => asExcelReads(c.value)).sort()).toEqual([...asRead].sort());
    expect(rows.map((r) => asExcelReads(r.get('Display name')!.value))).toEqual(expect.arrayContaining(asRead.slice(0, HOSTILE.length)));
    sheet.eachRow((row) =>
      row.eachCell((cell) => {
        expect(cell.type).not.toBe(ExcelJS.ValueType.Formula);
        expect(cell.formula).toBeUndefined();
      }),
    );
    // And in the file itself: no formula element in any part.
    const zip = await JSZip.loadAsync(body);
    for (const name of Object.keys(zip.files).filter((n) => n.endsWith('.xml'))) {
      expect(await zip.file(name)!.async('string'), name).not.toMatch(/<f[ >]/);
    }
  });

  it('exports a client page’s numbers with client=, and refuses bad filters with a 400 page', async () => {
    const rows = rowsOf(await readXlsx((await binary(agent.get(`/accounts/export.xlsx?client=${revokedClientId}`))).body as Buffer), ZONE);
    expect(rows.map((r) => r.get('Company legal name')!.value)).toEqual(['Revoked GmbH']);
    expect((await agent.get('/accounts/export.xlsx?lifecycle=nope')).status).toBe(400);
    expect((await agent.get('/accounts/export.xlsx?what=1')).status).toBe(400);
  });

  it('stops reading when the output does not take more, and reports the rows written so far', async () => {
    const big = await createPartner(t.em());
    await bulkNumbers(t, big, 4000);
    const service = t.app.get(ExportsService);
    const reads = vi.spyOn(service as unknown as { readBatch: () => Promise<unknown> }, 'readBatch');
    const stuck = new Writable({
      highWaterMark: 1024,
      write() {
        // Never takes more: the reader stopped reading.
      },
    });
    const done = service.writeXlsx(big.id, parseNumberFilter({}), stuck, { batchSize: 500 });
    await vi.waitFor(() => expect(stuck.writableNeedDrain).toBe(true), { timeout: 10_000, interval: 20 });
    stuck.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    const result = await done;
    expect(result.completed).toBe(false);
    // The buffers between the rows and the socket (the sheet's XML, the zip's deflate and its
    // output) take about a batch of 500 rows, compressed: the first batch, and at times a few
    // rows of the second (529 once), never the eight batches of the file.
    expect(result.rows).toBeLessThan(1000);
    expect(reads.mock.calls.length).toBeLessThanOrEqual(2);
    reads.mockRestore();
  });
});

/** Many numbers at once (insertMany) sharing one client and WABA account. */
async function bulkNumbers(t: TestApp, partner: Partner, count: number) {
  const first = await createNumber(t.em(), partner);
  const rows: object[] = [];
  for (let i = 1; i < count; i++) {
    rows.push({
      id: `${partner.id.slice(0, 10)}${String(i).padStart(12, '0')}`,
      createdAt: new Date(),
      updatedAt: new Date(),
      partner: partner.id,
      client: first.client.id,
      wabaAccount: first.wabaAccount.id,
      providerId: `CHX${i}`,
      externalId: String(300_000_000_000 + i),
      phoneNumber: `+4916${String(i).padStart(9, '0')}`,
      displayName: `Bulk ${i}`,
      status: 'running',
      statusChangedAt: new Date(),
      registrationStatus: 'registered',
      billingState: 'partner_paid',
      providerCreatedAt: new Date(Date.UTC(2026, 0, 1) + i * 1000),
      clientName: first.clientName,
      searchText: `bulk ${i}`,
    });
  }
  await t.em().insertMany(WhatsappNumber, rows as never[]);
}

describe('the row budget with the Excel download', () => {
  let t: TestApp;
  let partner: Partner;
  beforeAll(async () => {
    t = await createTestApp({ env: { EXPORT_ROWS_PER_HOUR: '10' } });
    partner = await createPartner(t.em(), { name: 'Budget Sheet Partners' });
    for (let i = 0; i < 4; i++) await createNumber(t.em(), partner, { status: i === 0 ? 'error' : 'running' });
  });
  afterAll(() => t.close());

  it('spends the same rows as the CSV, tells the list when little is left, and refuses with 429 once spent', async () => {
    const m = await createMember(t.em(), partner);
    await t.em().nativeUpdate(User, { id: m.user.id }, { timeZone: 'America/New_York' });
    t.clock.set('2026-11-27T15:00:00Z');
    const a = t.agent();
    await signIn(a, m.email, m.password);
    const list = async () => (await a.get('/accounts')).text;
    expect(await list()).not.toContain('more row');

    expect((await binary(a.get('/accounts/export.xlsx'))).status).toBe(200);
    t.clock.advance(10 * MINUTE);
    expect((await binary(a.get('/accounts/export.csv?lifecycle=error'))).status).toBe(200);
    // 5 of 10 spent: not near yet. An empty download costs nothing.
    expect(await list()).not.toContain('more row');
    const empty = await binary(a.get('/accounts/export.xlsx?q=nothing-matches-this'));
    expect(empty.status).toBe(200);
    expect((await readXlsx(empty.body as Buffer)).rowCount).toBe(1);
    expect((await binary(a.get('/accounts/export.xlsx'))).status).toBe(200);
    // 9 of 10: the list says what is left and until when, on the reader's clock.
    expect(await list()).toContain('You can download 1 more row until 27 Nov 2026, 11:00 EST');

    const refused = await a.get('/accounts/export.xlsx');
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^text\/html/);
    expect(Number(refused.headers['retry-after'])).toBe(50 * 60);
    expect(refused.text).toContain('This download has 4 rows');
    const spent = await t.em().find(AuditEvent, { action: 'accounts.exported', actorId: m.user.id }, { orderBy: { createdAt: 'asc' } });
    expect(spent.map((e) => e.data!.rows)).toEqual([4, 1, 0, 4]);
    expect(spent[0].data).toMatchObject({ format: 'xlsx', completed: true });
    t.clock.advance(HOUR);
  });

  it('refuses an Excel link followed from another site without spending anything', async () => {
    const m = await createMember(t.em(), partner);
    const a = t.agent();
    await signIn(a, m.email, m.password);
    const refused = await a.get('/accounts/export.xlsx').set('Sec-Fetch-Site', 'cross-site');
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('started from another site');
    expect(await t.em().count(AuditEvent, { action: 'accounts.exported', actorId: m.user.id })).toBe(0);
  });
});
