import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Client } from '../../src/accounts/entities/client.entity';
import { NumberStatusChange } from '../../src/accounts/entities/number-status-change.entity';
import { WabaAccount } from '../../src/accounts/entities/waba-account.entity';
import { WhatsappNumber } from '../../src/accounts/entities/whatsapp-number.entity';
import { AccountsImportService } from '../../src/accounts/import/accounts-import.service';
import { lockPartnerImports } from '../../src/accounts/import/import-lock.query';
import { CSV_HEADERS } from '../../src/exports/csv-columns';
import { ImportFileError } from '../../src/accounts/import/sources';
import { runCli } from '../../src/cli/program';
import { Sql } from '../../src/database/sql';
import type { Partner } from '../../src/partners/entities/partner.entity';
import { createTestApp, type TestApp } from '../support/app';
import { onPostgres } from '../support/database';
import { statementsOf } from '../support/statements';
import { MINUTE } from '../support/clock';
import { createMember, createPartner } from '../factories';
import { signIn } from '../support/http';

const SAMPLE = resolve(__dirname, '../../src/accounts/import/sample/partner-channels.sample.json');
const dir = mkdtempSync(join(tmpdir(), 'hub-import-'));
// The files the tests write, removed with the folder when the file's tests are done.
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
function file(content: string, ext = 'json'): string {
  const path = join(dir, `f${++fileNo}.${ext}`);
  writeFileSync(path, content);
  return path;
}

type Channel = Record<string, any>;
const sample = (): { partner_channels: Channel[] } => JSON.parse(readFileSync(SAMPLE, 'utf8'));

/** A snapshot of every row a partner owns, to prove that an import changed nothing. */
async function snapshot(t: TestApp, partner: Partner) {
  const em = t.em();
  const strip = (rows: object[]) => JSON.stringify(rows.map((r) => ({ ...r })));
  return {
    clients: strip(await em.find(Client, { partner }, { orderBy: { id: 'asc' } })),
    wabas: strip(await em.find(WabaAccount, { partner }, { orderBy: { id: 'asc' } })),
    numbers: strip(await em.find(WhatsappNumber, { partner }, { orderBy: { id: 'asc' } })),
    history: await em.count(NumberStatusChange, { partner }),
  };
}

describe('accounts:import', () => {
  let t: TestApp;
  let importer: AccountsImportService;

  beforeAll(async () => {
    t = await createTestApp();
    importer = t.app.get(AccountsImportService);
  });
  afterAll(() => t.close());

  it('imports the sample JSON: clients, WABA accounts and numbers with every field, search text and a first history entry', async () => {
    const partner = await createPartner(t.em());
    const result = await importer.importFile(partner.id, SAMPLE);
    expect(result).toMatchObject({ format: 'json', records: 4, invalid: 0, written: true, created: 4, updated: 0, unchanged: 0 });

    const em = t.em();
    expect(await em.count(Client, { partner })).toBe(3);
    expect(await em.count(WabaAccount, { partner })).toBe(3);
    const n = await em.findOneOrFail(WhatsappNumber, { partner, providerId: 'a1b3CH' }, { populate: ['client', 'wabaAccount'] });
    expect(n).toMatchObject({
      externalId: '109876543211',
      phoneNumber: '+4930901820',
      displayName: 'Acme Hotline',
      status: 'ready',
      registrationStatus: 'pending',
      registrationMethod: 'voice',
      ivr: true,
      qualityRating: 'unknown',
      messagingTier: 'tier_250',
      accountMode: 'live',
      clientName: 'Acme Retail GmbH',
      billingState: 'partner_paid',
    });
    expect(n.providerCreatedAt.toISOString()).toBe('2026-05-18T14:02:30.000Z');
    expect(n.statusChangedAt.toISOString()).toBe(t.clock.now().toISOString());
    expect(n.wabaAccount).toMatchObject({ providerId: 'e5f6WA', externalId: '2233445566', namespace: '1234_abcd_12ab', timezoneId: 47 });
    expect(n.client).toMatchObject({ providerId: 'c3d4CL', contactEmail: 'ops@acme.example', consentStatus: 'granted' });
    for (const part of [
      '4930901820',
      'acme hotline',
      'acme retail gmbh',
      'ops@acme.example',
      'a1b3ch',
      '109876543211',
      '2233445566',
      'e5f6wa',
      'c3d4cl',
    ]) {
      expect(n.searchText).toContain(part);
    }
    const history = await em.find(NumberStatusChange, { number: n });
    expect(history.map((h) => [h.family, h.fromValue, h.toValue, h.source])).toEqual([['lifecycle', null, 'ready', 'import']]);
  });

  it('changes nothing on a re-import of the same file: no update, no history', async () => {
    const partner = await createPartner(t.em());
    await importer.importFile(partner.id, SAMPLE);
    const before = await snapshot(t, partner);
    t.clock.advance(5 * MINUTE);
    const again = await importer.importFile(partner.id, SAMPLE);
    expect(again).toMatchObject({ written: true, created: 0, updated: 0, unchanged: 4, statusChanges: 0 });
    expect(await snapshot(t, partner)).toEqual(before);
  });

  it('appends a changed status to the history of each number it concerns, with the import as source', async () => {
    const partner = await createPartner(t.em());
    await importer.importFile(partner.id, SAMPLE);
    const data = sample();
    data.partner_channels[0].status = 'suspended';
    data.partner_channels[0].waba_account.status = 'account_banned';
    data.partner_channels[1].waba_account.status = 'account_banned';
    t.clock.advance(10 * MINUTE);
    const result = await importer.importFile(partner.id, file(JSON.stringify(data)));
    // The second number shares the WABA the first record already changed: only its history grows.
    expect(result).toMatchObject({ created: 0, updated: 1, unchanged: 3 });

    const em = t.em();
    const first = await em.findOneOrFail(WhatsappNumber, { partner, providerId: 'a1b2CH' });
    expect(first.status).toBe('suspended');
    expect(first.statusChangedAt.toISOString()).toBe(t.clock.now().toISOString());
    const changes = await em.find(
      NumberStatusChange,
      { partner, fromValue: { $ne: null } },
      { populate: ['number'], orderBy: { family: 'asc' } },
    );
    const seen = changes.map((c) => [c.number.providerId, c.family, c.fromValue, c.toValue, c.source]).sort();
    expect(seen).toEqual(
      [
        ['a1b2CH', 'lifecycle', 'running', 'suspended', 'import'],
        ['a1b2CH', 'waba', 'approved', 'account_banned', 'import'],
        ['a1b3CH', 'waba', 'approved', 'account_banned', 'import'],
      ].sort(),
    );
    expect(changes.every((c) => c.changedAt.getTime() === t.clock.now().getTime())).toBe(true);
  });

  it('counts a record whose only change is its WABA account or its client as updated', async () => {
    const partner = await createPartner(t.em());
    await importer.importFile(partner.id, SAMPLE);
    const data = sample();
    data.partner_channels[2].waba_account.fb_account_status = 'verified';
    data.partner_channels[3].client.contact_info.email = 'new-ops@example.com';
    const result = await importer.importFile(partner.id, file(JSON.stringify(data)));
    expect(result).toMatchObject({ created: 0, updated: 2, unchanged: 2, statusChanges: 1 });
    const em = t.em();
    expect((await em.findOneOrFail(WabaAccount, { partner, providerId: 'f1a2WA' })).businessVerificationStatus).toBe('verified');
    expect((await em.findOneOrFail(Client, { partner, providerId: 'e1f2CL' })).contactEmail).toBe('new-ops@example.com');
  });

  it('keeps the client name and search text of every number of a renamed client in step, even numbers not in the file', async () => {
    const partner = await createPartner(t.em());
    await importer.importFile(partner.id, SAMPLE);
    const data = sample();
    data.partner_channels = [data.partner_channels[0]];
    data.partner_channels[0].client.name = 'Acme Commerce AG';
    data.partner_channels[0].client.contact_info.email = 'hello@acme.example';
    await importer.importFile(partner.id, file(JSON.stringify(data)));
    const numbers = await t.em().find(WhatsappNumber, { partner, client: { providerId: 'c3d4CL' } });
    expect(numbers).toHaveLength(2);
    for (const n of numbers) {
      expect(n.clientName).toBe('Acme Commerce AG');
      expect(n.searchText).toContain('acme commerce ag');
      expect(n.searchText).toContain('hello@acme.example');
      expect(n.searchText).not.toContain('ops@acme.example');
    }
  });

  it('imports in batches with the same result (clients and WABAs shared across batches)', async () => {
    const partner = await createPartner(t.em());
    const result = await importer.importFile(partner.id, SAMPLE, { batchSize: 1 });
    expect(result).toMatchObject({ created: 4 });
    expect(await t.em().count(Client, { partner })).toBe(3);
    expect(await t.em().count(WabaAccount, { partner })).toBe(3);
    expect((await importer.importFile(partner.id, SAMPLE, { batchSize: 3 })).unchanged).toBe(4);
  });

  it('writes each batch in a transaction of its own: the database is free for other writers between them', async () => {
    const partner = await createPartner(t.em());
    const sent = await statementsOf(() => importer.importFile(partner.id, SAMPLE, { batchSize: 2 }));
    expect(sent.filter((q) => /^\s*begin\b/i.test(q))).toHaveLength(2);
    expect(sent.filter((q) => /^\s*commit\b/i.test(q))).toHaveLength(2);
    expect(await t.em().count(WhatsappNumber, { partner })).toBe(4);
  });

  it.skipIf(!onPostgres())("serializes a partner's imports without holding up its other writes (PostgreSQL)", async () => {
    const partner = await createPartner(t.em());
    const sql = t.app.get(Sql);
    await t
      .em()
      .fork()
      .transactional(async (importing) => {
        await lockPartnerImports(sql, importing, partner.id, true);
        // An invitation meanwhile: its foreign-key check on the partner does not wait for the batch.
        await t
          .em()
          .fork()
          .transactional(async (other) => {
            await sql.run("set local lock_timeout = '5s'", [], other);
            await createMember(other, partner, { role: 'member' });
          });
        // A second import of the partner waits for this one.
        await expect(
          t
            .em()
            .fork()
            .transactional(async (second) => {
              await sql.run("set local lock_timeout = '200ms'", [], second);
              await lockPartnerImports(sql, second, partner.id, true);
            }),
        ).rejects.toThrow(/lock timeout/);
      });
  });

  it('reports every bad record with its position and reason and writes nothing', async () => {
    const partner = await createPartner(t.em());
    const data = sample();
    data.partner_channels[0].setup_info.phone_number = '+49123';
    data.partner_channels[1].status = 'exploded';
    data.partner_channels[2].client.name = 'x'.repeat(201);
    data.partner_channels[3].waba_account.timezone_id = '999';
    const valid = { ...data.partner_channels[0], id: 'dupCH', setup_info: { phone_number: '+4915123456789' } };
    data.partner_channels.push(valid, valid);
    data.partner_channels.push(42 as never);
    const result = await importer.importFile(partner.id, file(JSON.stringify(data)));
    expect(result.written).toBe(false);
    expect(result.invalid).toBe(6);
    const byPosition = Object.fromEntries(result.problems.map((p) => [p.position, p.reason]));
    expect(byPosition['record 1 (partner_channels[0])']).toMatch(/setup_info\.phone_number "\+49123" is not a valid phone number/);
    expect(byPosition['record 2 (partner_channels[1])']).toMatch(/status "exploded" is not a known number status/);
    expect(byPosition['record 3 (partner_channels[2])']).toMatch(/client\.name is longer than 200 characters/);
    expect(byPosition['record 4 (partner_channels[3])']).toMatch(/timezone_id must be a whole number from 0 to 479/);
    expect(byPosition['record 5 (partner_channels[4])']).toBeUndefined();
    expect(byPosition['record 6 (partner_channels[5])']).toMatch(/the number id "dupCH" appears earlier in the file/);
    expect(byPosition['record 7 (partner_channels[6])']).toBe('not an object');
    expect(await t.em().count(WhatsappNumber, { partner })).toBe(0);
    expect(await t.em().count(Client, { partner })).toBe(0);
  });

  it('refuses objects where text is expected, whatever their toString, and dates the calendar does not have', async () => {
    const partner = await createPartner(t.em());
    const data = sample();
    const hostile = { toString: 1 } as never;
    data.partner_channels[0].waba_account.timezone_id = hostile;
    data.partner_channels[1].setup_info = { ...data.partner_channels[1].setup_info, ivr: hostile, verification_method: hostile } as never;
    data.partner_channels[2].created_at = '2026-02-30T00:00:00Z';
    const result = await importer.importFile(partner.id, file(JSON.stringify(data)));
    expect(result.written).toBe(false);
    const byPosition = Object.fromEntries(result.problems.map((p) => [p.position, p.reason]));
    expect(byPosition['record 1 (partner_channels[0])']).toMatch(/timezone_id must be a whole number from 0 to 479/);
    expect(byPosition['record 2 (partner_channels[1])']).toMatch(/verification_method must be "sms" or "voice".*ivr must be true or false/);
    expect(byPosition['record 3 (partner_channels[2])']).toMatch(/created_at "2026-02-30T00:00:00Z" is not a date and time/);
    expect(await t.em().count(WhatsappNumber, { partner })).toBe(0);
  });

  it('refuses invisible characters in names and an email the forms would refuse; stores the email as the forms would', async () => {
    const partner = await createPartner(t.em());
    const data = sample();
    data.partner_channels[0].client.name = 'Acme\u200BRetail GmbH';
    data.partner_channels[1].setup_info.phone_name = 'Sup\uFEFFport';
    data.partner_channels[2].client.contact_info.email = 'оps@blueharbor.example'.replace('о', 'о\u200Bo');
    const refused = await importer.importFile(partner.id, file(JSON.stringify(data)));
    expect(refused.written).toBe(false);
    const byPosition = Object.fromEntries(refused.problems.map((p) => [p.position, p.reason]));
    expect(byPosition['record 1 (partner_channels[0])']).toMatch(/client\.name contains control, text-direction or invisible characters/);
    expect(byPosition['record 2 (partner_channels[1])']).toMatch(/setup_info\.phone_name contains control, text-direction or invisible/);
    expect(byPosition['record 3 (partner_channels[2])']).toMatch(/not a valid email address \(email must not contain invisible characters/);

    // A right-to-left name keeps its direction mark; an email is stored in its canonical form.
    const ok = sample();
    for (const channel of ok.partner_channels)
      if (channel.client.id === ok.partner_channels[0].client.id) channel.client.name = '\u200Fשלום Ltd';
    ok.partner_channels[2].client.contact_info.email = '  IT@BlueHarbor.Example ';
    expect(await importer.importFile(partner.id, file(JSON.stringify(ok)))).toMatchObject({ written: true, created: 4 });
    expect((await t.em().findOneOrFail(Client, { partner, providerId: ok.partner_channels[0].client.id })).name).toBe('\u200Fשלום Ltd');
    const harbor = await t.em().findOneOrFail(Client, { partner, providerId: ok.partner_channels[2].client.id });
    expect(harbor.contactEmail).toBe('it@blueharbor.example');
  });

  it('imports the valid records and skips the bad ones with --skip-invalid', async () => {
    const partner = await createPartner(t.em());
    const data = sample();
    data.partner_channels[2].setup_info.phone_number = 'call me';
    const result = await importer.importFile(partner.id, file(JSON.stringify(data)), { skipInvalid: true });
    expect(result).toMatchObject({ written: true, invalid: 1, created: 3 });
    expect(await t.em().count(WhatsappNumber, { partner })).toBe(3);
    expect(await t.em().count(WhatsappNumber, { partner, providerId: 'b7c8CH' })).toBe(0);
  });

  it('refuses a file that is not a channel list or is cut off', async () => {
    const partner = await createPartner(t.em());
    await expect(importer.importFile(partner.id, file('{"channels": []}'))).rejects.toBeInstanceOf(ImportFileError);
    const whole = readFileSync(SAMPLE, 'utf8');
    await expect(importer.importFile(partner.id, file(whole.slice(0, whole.length / 2)))).rejects.toBeInstanceOf(ImportFileError);
    expect(await t.em().count(WhatsappNumber, { partner })).toBe(0);
  });

  describe('CSV form (the export columns)', () => {
    const row = (over: Partial<Record<(typeof CSV_HEADERS)[number], string>> = {}) => {
      const base: Record<string, string> = {
        'Company legal name': 'Nordlicht Reisen GmbH',
        'WhatsApp number': '+4915123456700',
        'Contact email': 'team@nordlicht.example',
        'Message on behalf': 'approved',
        'Facebook business verification': 'verified',
        'Number registration': 'registered',
        'Client ID': 'CLN1',
        'Number ID': 'CHN1',
        'WABA Account External ID': '5566778899',
        'WABA Channel External ID': '200000000001',
        Namespace: "'=cmd|' /C calc'!A0",
        'Lifecycle status': 'live',
        'Consent status': 'granted',
        'Billing state': 'partner_paid',
        'Termination date': '',
        'Created at': '2026-04-01T10:00:00.000Z',
        ...over,
      };
      return CSV_HEADERS.map((h) => `"${(base[h] ?? '').replace(/"/g, '""')}"`).join(',');
    };
    const csv = (...rows: string[]) => `\uFEFF${CSV_HEADERS.join(',')}\r\n${rows.join('\r\n')}\r\n`;

    it('imports a file the export produced (BOM, quoted and neutralized cells) and re-imports it unchanged', async () => {
      const partner = await createPartner(t.em());
      const path = file(csv(row(), row({ 'Number ID': 'CHN2', 'WhatsApp number': '+4915123456701', 'Lifecycle status': 'error' })), 'csv');
      const result = await importer.importFile(partner.id, path);
      expect(result).toMatchObject({ format: 'csv', records: 2, invalid: 0, created: 2 });
      const n = await t.em().findOneOrFail(WhatsappNumber, { partner, providerId: 'CHN1' }, { populate: ['wabaAccount', 'client'] });
      expect(n.wabaAccount.namespace).toBe("=cmd|' /C calc'!A0");
      expect(n.wabaAccount.providerId).toBe('5566778899');
      expect(n.client.name).toBe('Nordlicht Reisen GmbH');
      expect(n.status).toBe('live');
      expect(await t.em().count(WabaAccount, { partner })).toBe(1);

      const before = await snapshot(t, partner);
      t.clock.advance(MINUTE);
      expect((await importer.importFile(partner.id, path)).unchanged).toBe(2);
      expect(await snapshot(t, partner)).toEqual(before);
    });

    it('re-imports the real CSV download unchanged', async () => {
      const partner = await createPartner(t.em());
      await importer.importFile(partner.id, SAMPLE);
      const owner = await createMember(t.em(), partner);
      const agent = t.agent();
      await signIn(agent, owner.email, owner.password);
      const download = await agent
        .get('/accounts/export.csv')
        .buffer(true)
        .parse((res, done) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => done(null, Buffer.concat(chunks)));
        });
      expect(download.status).toBe(200);
      const path = file((download.body as Buffer).toString('utf8'), 'csv');
      const before = await snapshot(t, partner);
      t.clock.advance(MINUTE);
      const result = await importer.importFile(partner.id, path);
      expect(result).toMatchObject({ format: 'csv', records: 4, invalid: 0, created: 0, updated: 0, unchanged: 4 });
      expect(await snapshot(t, partner)).toEqual(before);
    });

    it('finds a WABA imported from JSON by its external id, so a CSV round trip does not duplicate it', async () => {
      const partner = await createPartner(t.em());
      await importer.importFile(partner.id, SAMPLE);
      const before = await snapshot(t, partner);
      const path = file(
        csv(
          row({
            'Company legal name': 'Acme Retail GmbH',
            'WhatsApp number': '+4915123456789',
            'Contact email': 'ops@acme.example',
            'Client ID': 'c3d4CL',
            'Number ID': 'a1b2CH',
            'WABA Account External ID': '2233445566',
            'WABA Channel External ID': '109876543210',
            Namespace: '1234_abcd_12ab',
            'Lifecycle status': 'running',
            'Created at': '2026-03-02T09:15:00.000Z',
          }),
        ),
        'csv',
      );
      expect((await importer.importFile(partner.id, path)).unchanged).toBe(1);
      expect(await snapshot(t, partner)).toEqual(before);
    });

    it('reports a bad row by its line and a missing column for the whole file', async () => {
      const partner = await createPartner(t.em());
      const result = await importer.importFile(
        partner.id,
        file(csv(row(), row({ 'Number ID': 'CHN9', 'Lifecycle status': 'sleeping' })), 'csv'),
      );
      expect(result.written).toBe(false);
      expect(result.problems).toEqual([
        { position: 'line 3', reason: expect.stringMatching(/Lifecycle status "sleeping" is not a known/) },
      ]);
      await expect(
        importer.importFile(partner.id, file('Company legal name,WhatsApp number\r\nA,+4915123456789\r\n', 'csv')),
      ).rejects.toThrow(/lacks the column\(s\): Client ID/);
      expect(await t.em().count(WhatsappNumber, { partner })).toBe(0);
    });
  });

  describe('the command', () => {
    const env = () => ({
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      JOBS_ENABLED: 'false',
      DEMO_SEED: 'false',
      ...(t.config.database.url ? { DATABASE_URL: t.config.database.url } : { SQLITE_PATH: t.config.database.sqlitePath }),
    });

    it('imports by partner slug and prints a summary; exits 2 with the reasons and writes nothing on bad records', async () => {
      const partner = await createPartner(t.em());
      const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
      const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        expect(await runCli(['accounts:import', '--partner', partner.slug, SAMPLE], env())).toBe(0);
        expect(log.mock.calls.flat().join('\n')).toMatch(/Imported 4 of 4 records \(json\).*4 numbers created/);
        expect(await t.em().count(WhatsappNumber, { partner })).toBe(4);

        const data = sample();
        data.partner_channels[0].status = 'bogus';
        data.partner_channels[1].status = 'suspended';
        const bad = file(JSON.stringify(data));
        expect(await runCli(['accounts:import', '--partner', partner.id, bad], env())).toBe(2);
        expect(err.mock.calls.flat().join('\n')).toMatch(/record 1 \(partner_channels\[0\]\): status "bogus"/);
        expect(await t.em().count(WhatsappNumber, { partner, status: 'suspended' })).toBe(0);

        expect(await runCli(['accounts:import', '--partner', partner.id, '--skip-invalid', bad], env())).toBe(0);
        expect(await t.em().count(WhatsappNumber, { partner, status: 'suspended' })).toBe(1);

        expect(await runCli(['accounts:import', '--partner', 'no-such-partner', SAMPLE], env())).toBe(2);
        expect(await runCli(['accounts:import', '--partner', partner.id, join(dir, 'missing.json')], env())).toBe(2);
      } finally {
        log.mockRestore();
        err.mockRestore();
      }
    });
  });
});
