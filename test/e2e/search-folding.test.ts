import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountsImportService } from '../../src/accounts/import/accounts-import.service';
import { phoneView } from '../../src/accounts/phone';
import { searchTextFor } from '../../src/accounts/search-text';
import { DemoSeedService } from '../../src/demo/demo-seed.service';
import { migrateUp } from '../../src/database/migrations';
import type { Partner } from '../../src/partners/entities/partner.entity';
import { createMember, createPartner } from '../factories';
import { createTestApp, type TestApp } from '../support/app';
import { signIn } from '../support/http';

const REFOLD_MIGRATION = 'Migration20261130140000';

const dir = mkdtempSync(join(tmpdir(), 'hub-search-'));
// The files the tests write, removed with the folder when the file's tests are done.
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

interface Channel {
  id: string;
  externalId: string;
  phone: string;
  displayName: string;
  client: { id: string; name: string; email: string };
  waba: { id: string; externalId: string; namespace: string };
}

/** A Partner API export of the channels, as the import reads it. */
function exportFile(channels: Channel[]): string {
  const path = join(dir, `channels-${++fileNo}.json`);
  const partner_channels = channels.map((c) => ({
    id: c.id,
    external_id: c.externalId,
    status: 'running',
    account_mode: 'live',
    created_at: '2026-03-02T09:15:00Z',
    client: { id: c.client.id, name: c.client.name, consent_status: 'granted', contact_info: { email: c.client.email } },
    waba_account: {
      id: c.waba.id,
      external_id: c.waba.externalId,
      namespace: c.waba.namespace,
      timezone_id: '47',
      status: 'approved',
      fb_account_status: 'verified',
      on_behalf_of_business_info: { status: 'approved' },
    },
    setup_info: { phone_number: c.phone, phone_name: c.displayName, ivr: false, verification_method: 'sms' },
    number_registration: 'registered',
    current_quality_rating: 'green',
    current_limit: 'tier_1k',
  }));
  writeFileSync(path, JSON.stringify({ partner_channels }));
  return path;
}

const CAFE: Channel = {
  id: 'chCafe',
  externalId: '109000000001',
  phone: '+4915123456701',
  displayName: 'Lumière Support',
  client: { id: 'clCafe', name: 'Café Lumière', email: 'bonjour@cafe-lumiere.example' },
  waba: { id: 'waCafe', externalId: '2200000001', namespace: '7a1c_lumiere_ns' },
};
const LODZ: Channel = {
  id: 'chLodz',
  externalId: '109000000002',
  phone: '+48501234567',
  displayName: 'Dyspozytor',
  client: { id: 'clLodz', name: 'Łódź Logistics', email: 'biuro@lodz-logistics.example' },
  waba: { id: 'waLodz', externalId: '2200000002', namespace: '2b3d_lodz_ns' },
};
const LODZ_SECOND: Channel = { ...LODZ, id: 'chLodz2', externalId: '109000000004', phone: '+48501234568' };
const STRASSE: Channel = {
  id: 'chStrasse',
  externalId: '109000000003',
  phone: '+493012345678',
  displayName: 'Fahrgastservice',
  client: { id: 'clStrasse', name: 'Straßenbahn GmbH', email: 'info@strassenbahn.example' },
  waba: { id: 'waStrasse', externalId: '2200000003', namespace: '9f8e_bahn_ns' },
};

const formatted = (c: Channel) => phoneView(c.phone).formatted;

describe('search that forgives case and accents', () => {
  let t: TestApp;
  let importer: AccountsImportService;

  beforeAll(async () => {
    t = await createTestApp();
    importer = t.app.get(AccountsImportService);
  });
  afterAll(() => t.close());

  /** A partner with the channels imported, and a signed-in owner's list search. */
  async function portfolio(channels: Channel[]): Promise<{ partner: Partner; search: (q: string) => Promise<string> }> {
    const partner = await createPartner(t.em());
    const result = await importer.importFile(partner.id, exportFile(channels));
    expect(result).toMatchObject({ invalid: 0, written: true });
    const owner = await createMember(t.em(), partner, { role: 'owner' });
    const agent = t.agent();
    await signIn(agent, owner.email, owner.password);
    // A search that names one number exactly (its namespace here) opens that number's page.
    const search = async (q: string) => {
      const res = await agent.get('/accounts').query({ q }).redirects(1);
      expect(res.status, q).toBe(200);
      return res.text;
    };
    return { partner, search };
  }

  /** The channels a search lists, told by their formatted phones on the page. */
  const listed = (html: string, channels: Channel[]) => channels.filter((c) => html.includes(formatted(c))).map((c) => c.id);

  describe('in the list', () => {
    const all = [CAFE, LODZ, STRASSE];
    let search: (q: string) => Promise<string>;
    beforeAll(async () => {
      ({ search } = await portfolio(all));
    });

    it.each([
      { q: 'cafe lumiere', hit: CAFE },
      { q: 'Cafe  Lumiere', hit: CAFE },
      { q: 'CAFÉ', hit: CAFE },
      { q: 'café lumière', hit: CAFE },
      { q: 'lumiere support', hit: CAFE },
      { q: 'lodz', hit: LODZ },
      { q: 'ŁÓDŹ LOGISTICS', hit: LODZ },
      { q: 'strasse', hit: STRASSE },
      { q: 'STRASSENBAHN', hit: STRASSE },
      { q: 'Straßenbahn', hit: STRASSE },
      { q: 'lumiere cafe', hit: CAFE },
      { q: 'CAFÉ  support', hit: CAFE },
      { q: 'dyspozytor 0501 234', hit: LODZ },
      { q: 'logistics +48 501', hit: LODZ },
      { q: 'strassenbahn fahrgastservice', hit: STRASSE },
    ])('finds $q: the number of $hit.client.name only', async ({ q, hit }) => {
      expect(listed(await search(q), all), q).toEqual([hit.id]);
    });

    it.each([
      { q: CAFE.waba.namespace, hit: CAFE },
      { q: LODZ.waba.namespace.toUpperCase(), hit: LODZ },
      { q: STRASSE.waba.namespace, hit: STRASSE },
    ])('finds a number by its WABA namespace ($q)', async ({ q, hit }) => {
      expect(listed(await search(q), all), q).toEqual([hit.id]);
    });

    it('finds nothing for words that are in no single number', async () => {
      const html = await search('cafe lodz');
      expect(listed(html, all)).toEqual([]);
      expect(html).toContain('No numbers match this search.');
    });
  });

  describe('kept in step by the import', () => {
    it("follows a WABA's new namespace on every number of the WABA, even numbers not in the file", async () => {
      const { partner, search } = await portfolio([LODZ, LODZ_SECOND, CAFE]);
      const moved = { ...LODZ, waba: { ...LODZ.waba, namespace: '4c5d_moved_ns' } };
      expect(await importer.importFile(partner.id, exportFile([moved]))).toMatchObject({ updated: 1 });
      const everyone = [LODZ, LODZ_SECOND, CAFE];
      expect(listed(await search('4c5d_moved_ns'), everyone).sort()).toEqual([LODZ.id, LODZ_SECOND.id].sort());
      expect(listed(await search(LODZ.waba.namespace), everyone)).toEqual([]);
    });

    it('follows a client renamed by a later record of the same file, on the new numbers before it too', async () => {
      const before = { ...CAFE, client: { ...CAFE.client, name: 'Brasserie Ancienne' } };
      const after = { ...CAFE, id: 'chCafe2', externalId: '109000000005', phone: '+4915123456702' };
      const { search } = await portfolio([before, after]);
      expect(listed(await search('cafe lumiere'), [before, after]).sort()).toEqual([before.id, after.id].sort());
      expect(listed(await search('ancienne'), [before, after])).toEqual([]);
    });
  });
});

describe(`${REFOLD_MIGRATION}: refolding the stored search texts`, () => {
  let t: TestApp;
  const texts = async (): Promise<{ id: string; provider_id: string; search_text: string; expected: string }[]> => {
    const rows = (await t
      .em()
      .getConnection()
      .execute(
        `select n."id", n."provider_id", n."search_text", n."phone_number", n."display_name", c."name", c."contact_email",
         n."external_id", w."provider_id" as "waba_provider_id", w."external_id" as "waba_external_id", w."namespace",
         c."provider_id" as "client_provider_id"
       from "whatsapp_number" n join "client" c on c."id" = n."client_id" join "waba_account" w on w."id" = n."waba_account_id"`,
      )) as Record<string, string | null>[];
    return rows.map((r) => ({
      id: r.id!,
      provider_id: r.provider_id!,
      search_text: r.search_text!,
      expected: searchTextFor({
        phoneNumber: r.phone_number!,
        displayName: r.display_name,
        clientName: r.name!,
        contactEmail: r.contact_email,
        ids: [r.provider_id, r.external_id, r.waba_external_id, r.waba_provider_id, r.namespace, r.client_provider_id],
      }),
    }));
  };
  const cafeText = async () => (await texts()).find((r) => r.provider_id === CAFE.id)!.search_text;

  beforeAll(async () => {
    t = await createTestApp();
    const partner = await createPartner(t.em());
    await t.app.get(AccountsImportService).importFile(partner.id, exportFile([CAFE, LODZ, STRASSE]));
    // More numbers than one batch of the migration reads, with accents in many client names.
    await t.app.get(DemoSeedService).seed({ partnerName: 'Refold', count: 2_100 });
  });
  afterAll(() => t.close());

  it('writes the previous form back on the way down: lower-cased only, accents kept, no namespace', async () => {
    await t.orm.getMigrator().down({ to: REFOLD_MIGRATION });
    expect(await cafeText()).toBe(
      '4915123456701 lumière support café lumière bonjour@cafe-lumiere.example chcafe 109000000001 2200000001 wacafe clcafe',
    );
    const old = await texts();
    expect(old.filter((r) => r.search_text.includes('é')).length).toBeGreaterThan(100);
    expect(old.filter((r) => r.search_text === r.expected)).toEqual([]);
  });

  it('folds every number, in every batch, as the app writes it now, the namespace included', async () => {
    // A row as an older version left it: upper case and all.
    await t
      .em()
      .getConnection()
      .execute('update "whatsapp_number" set "search_text" = ? where "provider_id" = ?', ['STALE Café', STRASSE.id]);
    expect(await migrateUp(t.orm)).toContain(REFOLD_MIGRATION);
    expect(await cafeText()).toBe(
      '4915123456701 lumiere support cafe lumiere bonjour@cafe-lumiere.example chcafe 109000000001 2200000001 wacafe 7a1c_lumiere_ns clcafe',
    );
    const now = await texts();
    expect(now).toHaveLength(2_103);
    expect(now.filter((r) => r.search_text !== r.expected)).toEqual([]);
  });
});
