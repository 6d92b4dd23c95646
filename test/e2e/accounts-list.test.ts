import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COUNT_CAP } from '../../src/accounts/accounts.service';
import { KEEP_VIEW_MS } from '../../src/accounts/list-preferences.service';
import type { Client } from '../../src/accounts/entities/client.entity';
import type { WabaAccount } from '../../src/accounts/entities/waba-account.entity';
import type { WhatsappNumber } from '../../src/accounts/entities/whatsapp-number.entity';
import { NumberSummaries } from '../../src/accounts/number-summaries.service';
import { FILTER_FAMILIES, type FilterFamily, type SortField } from '../../src/accounts/number-filter';
import { phoneView } from '../../src/accounts/phone';
import type { Partner } from '../../src/partners/entities/partner.entity';
import { FAMILIES, FAMILY_KEYS, familyValues, statusDef, type FamilyKey } from '../../src/statuses/catalogue';
import { createMember, createPartner } from '../factories';
import { createClient, createNumber, createWaba } from '../factories/accounts';
import { createTestApp, type TestApp } from '../support/app';
import { DAY } from '../support/clock';
import { csrfFrom, postForm, signIn } from '../support/http';
import {
  cardSections,
  copyNumber,
  filterChips,
  listNotices,
  pagerLinks,
  queryOf,
  resultsLine,
  sortOptions,
  summaryFigures,
  tableHeaders,
  tableRows,
  walkPages,
  type Page,
} from '../support/list';

type Agent = ReturnType<TestApp['agent']>;

/** A number as the test made it: what its row must show and where it must sort. */
interface Made {
  id: string;
  providerId: string;
  phone: string;
  display: string | null;
  clientId: string;
  clientName: string;
  wabaId: string;
  created: Date;
  values: Record<FilterFamily, string>;
  /** The statuses of every family, the filterable ones and quality and tier. */
  all: Record<FamilyKey, string>;
}

const ids = (page: Page) => tableRows(page.html).map((r) => r.id);
/** The 404 page, without what differs between two requests (the CSRF token of the top bar's forms). */
const stable = (html: string) => html.replace(/name="_csrf" value="[^"]+"/g, '');

/** The "Showing a–b of n" line of page `k` (from 0) of `total` numbers at `size` per page. */
function showing(k: number, size: number, total: number): string {
  return `Showing ${(k * size + 1).toLocaleString('en-US')}–${Math.min((k + 1) * size, total).toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`;
}

describe('WhatsApp Accounts: the list of a real portfolio', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  async function memberAgent(partner: Partner, role: 'owner' | 'member' = 'member'): Promise<Agent> {
    const m = await createMember(t.em(), partner, { role });
    const agent = t.agent();
    await signIn(agent, m.email, m.password);
    return agent;
  }

  describe('the table', () => {
    let partner: Partner;
    let agent: Agent;
    const made: Record<string, { id: string; phone: string; client: Client }> = {};

    beforeAll(async () => {
      // 30 days' notice to the end of the month: asked on 26 November, billing ends on 31 December.
      partner = await createPartner(t.em(), { terms: { noticeDays: 30, alignment: 'end_of_month', billingTimeZone: 'UTC' } });
      const acme = await createClient(t.em(), partner, { name: 'Acme Retail GmbH' });
      const healthy = await createNumber(t.em(), partner, {
        client: acme,
        phoneNumber: '+4915123456789',
        displayName: 'Acme Support',
        externalId: '555000111222',
        providerCreatedAt: new Date('2026-10-06T12:00:00Z'),
      });
      const banned = await createNumber(t.em(), partner, {
        phoneNumber: '+447400123456',
        waba: { status: 'account_banned' },
        providerCreatedAt: new Date('2026-10-05T12:00:00Z'),
      });
      const twoFaults = await createNumber(t.em(), partner, {
        phoneNumber: '+33612345678',
        registrationStatus: 'failed',
        waba: { status: 'account_restriction' },
        providerCreatedAt: new Date('2026-10-04T12:00:00Z'),
      });
      const stuck = await createNumber(t.em(), partner, {
        phoneNumber: '+5511987654321',
        status: 'submitted',
        statusChangedAt: new Date(t.clock.now().getTime() - 8 * DAY),
        providerCreatedAt: new Date('2026-10-03T12:00:00Z'),
      });
      const revoked = await createNumber(t.em(), partner, {
        phoneNumber: '+4930901820',
        displayName: null,
        providerCreatedAt: new Date('2026-10-02T12:00:00Z'),
      });
      for (const [key, n] of Object.entries({ healthy, banned, twoFaults, stuck, revoked })) {
        made[key] = { id: n.id, phone: n.phoneNumber, client: n.client };
      }
      agent = await memberAgent(partner, 'owner');
      // Requested through the real form, as an owner does.
      const res = await postForm(
        agent,
        `/accounts/${revoked.id}/revocation`,
        { confirmation: revoked.phoneNumber, reason: 'The client pays directly.' },
        `/accounts/${revoked.id}/revocation/new`,
      );
      expect(res.status).toBe(303);
    });

    it('shows one row per number: formatted phone to its page, display name, client to its page, a badge per family under its name, why it needs attention, billing with the countdown', async () => {
      const res = await agent.get('/accounts');
      expect(res.status).toBe(200);
      expect(res.text).toContain('<table class="numbers">');

      const headers = tableHeaders(res.text);
      expect(headers.map((h) => h.text)).toEqual([
        'Phone number',
        'Display name',
        'Client',
        ...(['lifecycle', 'waba', 'verification', 'onBehalf', 'registration', 'consent', 'billing'] as const).map((f) => FAMILIES[f].short),
        'Needs attention',
        'Created',
      ]);
      for (const f of ['lifecycle', 'waba', 'verification', 'onBehalf', 'registration', 'consent', 'billing'] as const) {
        expect(headers.find((h) => h.text === FAMILIES[f].short)?.title).toBe(`Sort by ${FAMILIES[f].label}`);
      }

      const rows = tableRows(res.text);
      // Newest first: the order they were made in.
      expect(rows.map((r) => r.id)).toEqual(['healthy', 'banned', 'twoFaults', 'stuck', 'revoked'].map((k) => made[k].id));
      for (const row of rows) {
        const n = Object.values(made).find((m) => m.id === row.id)!;
        expect(row.phone).toBe(phoneView(n.phone).formatted);
        expect(row.href).toBe(`/accounts/${n.id}`);
        expect(row.client).toEqual({ name: n.client.name, href: `/clients/${n.client.id}` });
        expect(Object.keys(row.cells)).toEqual(['Status', 'WABA', 'Verification', 'On behalf', 'Registration', 'Consent', 'Billing']);
        expect(row.created).toMatch(/^2026-10-0\dT12:00:00.000Z$/);
      }
      const row = (key: string) => rows.find((r) => r.id === made[key].id)!;

      expect(row('healthy')).toMatchObject({ phone: '+49 1512 3456789', country: 'Germany', displayName: 'Acme Support', attention: null });
      expect(row('healthy').cells.WABA).toMatchObject({ label: 'Approved', anchor: 'waba-approved', colour: 'green' });
      expect(row('healthy').cells['On behalf']).toMatchObject({ label: 'Approved', anchor: 'onBehalf-approved' });
      expect(row('healthy').cells.Billing).toMatchObject({ label: 'Partner pays', anchor: 'billing-partner_paid' });
      expect(row('healthy').notes).toEqual([]);

      expect(row('banned').cells.WABA).toMatchObject({ label: statusDef('waba', 'account_banned')!.label, colour: 'red' });
      expect(row('banned').attention).toBe('WABA');
      expect(row('twoFaults').attention).toBe('WABA, Registration');
      expect(row('twoFaults').cells.Registration).toMatchObject({ label: 'Failed', anchor: 'registration-failed' });
      expect(row('stuck').attention).toBe('Status pending over 7 days');
      expect(row('stuck').cells.Status).toMatchObject({ label: 'Submitted', anchor: 'lifecycle-submitted' });

      expect(row('revoked').displayName).toBeNull();
      expect(row('revoked').cells.Billing).toMatchObject({ label: 'Revocation requested', colour: 'amber' });
      expect(row('revoked').notes).toEqual(['Terminates 31 Dec 2026 · 35 days left']);
      expect(row('revoked').attention).toBeNull();

      // Every link of the row leads somewhere real.
      expect((await agent.get(row('healthy').href)).text).toContain('<h1>+49 1512 3456789</h1>');
      expect((await agent.get(row('healthy').client!.href)).text).toContain('<h1>Acme Retail GmbH</h1>');
    });

    it('has the search box in the top bar of every signed-in page, and none on a signed-out one', async () => {
      const box = /<form method="get" action="\/accounts" class="topbar-search" role="search"[^>]*>[\s\S]*?<input id="top-q" name="q"/g;
      const { id } = made.healthy;
      const client = made.healthy.client.id;
      const signedIn = [
        '/accounts',
        `/accounts/${id}`,
        `/accounts/${id}/revocation/new`,
        `/accounts/${made.revoked.id}/revocation/withdraw`,
        `/clients/${client}`,
        '/account-statuses',
        '/users',
        '/users/new',
        '/activity',
        '/profile',
        '/settings/api-keys',
        '/settings/api-keys/new',
      ];
      for (const path of signedIn) {
        const res = await agent.get(path);
        expect(res.status, path).toBe(200);
        expect(res.text.match(box), path).toHaveLength(1);
      }
      // A page that is not found still has it for a signed-in person; the sign-in page has none.
      expect((await agent.get(`/accounts/${'A'.repeat(22)}`)).text.match(box)).toHaveLength(1);
      expect((await t.agent().get('/login')).text.match(box)).toBeNull();
    });

    it('opens the number when the search is its full phone, in any format, or one of its ids; a partial phone stays on the list', async () => {
      for (const q of ['+49 1512 3456789', '+49 (151) 2345-6789', '0049 151 23456789', '+4915123456789', '555000111222']) {
        const res = await agent.get('/accounts').query({ q });
        expect(res.status, q).toBe(303);
        const search = `/accounts?${new URLSearchParams({ q, list: '1' })}`;
        expect(res.headers.location, q).toBe(`/accounts/${made.healthy.id}?back=${encodeURIComponent(search)}`);
      }
      const partial = await agent.get('/accounts').query({ q: '3456 789' });
      expect(partial.status).toBe(200);
      expect(tableRows(partial.text).map((r) => r.id)).toEqual([made.healthy.id]);
      expect(resultsLine(partial.text).match).toBe('1 number matches');
      // A name that matches one number is no exact match.
      const byName = await agent.get('/accounts').query({ q: 'acme support' });
      expect(byName.status).toBe(200);
      expect(tableRows(byName.text).map((r) => r.id)).toEqual([made.healthy.id]);
    });

    it('answers a search no box sends (a NUL or another control character, too long, given twice) with the page and the search’s error (422), the other filters kept, never a bare 400', async () => {
      const running = tableRows((await agent.get('/accounts?lifecycle=running')).text).map((r) => r.id);
      expect(running.length).toBeGreaterThan(1);
      for (const [q, shown] of [
        ['%00', ''],
        ['acme%00', 'acme'],
        ['%01', ''],
        ['acme%1B%5B31m', 'acme[31m'],
        ['%7F', ''],
        ['%C2%85', ''],
      ]) {
        for (const base of ['/accounts', `/clients/${made.healthy.client.id}`]) {
          const res = await agent.get(`${base}?q=${q}&lifecycle=running`);
          expect(res.status, `${base} q=${q}`).toBe(422);
          expect(res.text).toContain('<p class="field-error" id="q-error">The search contains a control character');
          expect(res.text).toContain(
            `value="${shown}" maxlength="200" placeholder="Phone, name, client, email or id" aria-invalid="true" aria-describedby="q-error q-hint">`,
          );
          expect(res.text).toMatch(/<title>Error: /);
          expect(filterChips(res.text).chips.map((c) => c.label)).toEqual(['Status: Running']);
          if (base === '/accounts') expect(tableRows(res.text).map((r) => r.id)).toEqual(running);
        }
      }
      // A search longer than the box takes, or given twice: its own error, the rest of the list as asked.
      const long = 'a'.repeat(201);
      for (const [q, shown, error] of [
        [long, 'a'.repeat(200), 'Search for at most 200 characters.'],
        [['acme', 'other'], '', 'The address gives more than one search: type the one you want.'],
      ] as const) {
        for (const base of ['/accounts', `/clients/${made.healthy.client.id}`]) {
          const res = await agent.get(base).query({ q, lifecycle: 'running' });
          expect(res.status, `${base} q=${String(q)}`).toBe(422);
          expect(res.text).toContain(`<p class="field-error" id="q-error">${error}</p>`);
          expect(res.text).toContain(`value="${shown}" maxlength="200"`);
          expect(filterChips(res.text).chips.map((c) => c.label)).toEqual(['Status: Running']);
          if (base === '/accounts') expect(tableRows(res.text).map((r) => r.id)).toEqual(running);
        }
      }
      // A NUL anywhere else in a list's address is a value no link of ours makes: left out, or not read.
      for (const query of ['sort=%00', 'size=%00', 'lifecycle=%00', 'after=%00', 'back=%00', 'client=%00', 'zz=%00', '%00=1']) {
        const res = await agent.get(`/accounts?${query}`);
        expect(res.status, query).toBe(200);
        expect(res.text, query).not.toContain('\u0000');
      }
      expect((await agent.get(`/accounts/${made.healthy.id}?back=%00`)).status).toBe(200);
      expect((await agent.get(`/clients/${made.healthy.client.id}?back=%00&sort=%00`)).status).toBe(200);
      // A download gives what was asked or nothing, as for any search it cannot run.
      expect((await agent.get('/accounts/export.csv?q=%00')).status).toBe(400);
    });

    it('leads back from the number a search opened to that search as a list, its filters and page size kept, on the list and on a client page', async () => {
      const { id, client } = made.healthy;
      const crumb = (html: string) =>
        /<p class="breadcrumb">([\s\S]*?)<\/p>/
          .exec(html)![1]
          .replace(/&#x3D;/g, '=')
          .replace(/&amp;/g, '&');
      const search = '/accounts?q=%2B4915123456789&lifecycle=running&size=25';
      const res = await agent.get(search);
      expect(res.status).toBe(303);
      const details = await agent.get(res.headers.location);
      expect(details.status).toBe(200);
      const list = `${search}&list=1`;
      expect(crumb(details.text)).toContain(`<a href="${list}">WhatsApp Accounts</a>`);
      expect(crumb(details.text)).toContain(`<a href="/clients/${client.id}?back=${encodeURIComponent(list)}">`);
      // That list shows the search's one number, whose link leads back to it again.
      const shown = await agent.get(list);
      expect(shown.status).toBe(200);
      expect(tableRows(shown.text).map((r) => r.id)).toEqual([id]);
      expect(tableRows(shown.text)[0].href).toBe(`/accounts/${id}?back=${encodeURIComponent(list)}`);
      expect(filterChips(shown.text).chips.map((c) => c.label)).toEqual(['Search: “+4915123456789”', 'Status: Running']);
      // Searching again from it opens the number again.
      expect((await agent.get(search)).status).toBe(303);

      const onClient = `/clients/${client.id}?q=555000111222`;
      const fromClient = await agent.get(onClient);
      expect(fromClient.status).toBe(303);
      expect(crumb((await agent.get(fromClient.headers.location)).text)).toContain(`<a href="${onClient}&list=1">`);
      expect((await agent.get(`${onClient}&list=1`)).status).toBe(200);
    });
  });

  describe('a portfolio of 60 numbers across 6 clients', () => {
    let partner: Partner;
    let agent: Agent;
    const made: Made[] = [];
    const clients: Client[] = [];
    const wabas: WabaAccount[][] = [];
    const byId = (id: string) => made.find((m) => m.id === id)!;

    const LIFECYCLE = familyValues('lifecycle');
    const REGISTRATION = familyValues('registration');
    const BILLING = ['partner_paid', 'revocation_requested', 'partner_billing_ended'] as const;
    const QUALITY = familyValues('quality');

    beforeAll(async () => {
      partner = await createPartner(t.em());
      const names = ['Nordwind Reisen GmbH', 'Alpha Retail GmbH', 'Zeta Logistik AG', 'Mid Foods Ltd', 'Beta Care SA', 'Kappa Travel Oy'];
      const consents = ['granted', 'pending', 'withdrawn'] as const;
      for (const [ci, name] of names.entries()) {
        const client = await createClient(t.em(), partner, { name, consentStatus: consents[ci % 3] });
        clients.push(client);
        wabas.push([]);
        for (let k = 0; k < 2; k++) {
          const w = ci * 2 + k;
          wabas[ci].push(
            await createWaba(t.em(), client, {
              status: familyValues('waba')[w % 8],
              businessVerificationStatus: familyValues('verification')[(w * 3) % 7],
              messageOnBehalfStatus: familyValues('onBehalf')[(w * 2) % 5],
            }),
          );
        }
      }
      for (let i = 0; i < 60; i++) {
        // Half the numbers are the first client's, the rest spread over the others.
        const ci = i % 2 === 0 ? 0 : 1 + (((i - 1) / 2) % 5);
        const waba = wabas[ci][Math.floor(i / 2) % 2];
        const n = await createNumber(t.em(), partner, {
          client: clients[ci],
          waba,
          // 7919 is prime to 100,000: 60 distinct phones in no particular order.
          phoneNumber: `+4915122${String((i * 7919) % 100_000).padStart(5, '0')}`,
          displayName: i % 7 === 0 ? null : `${['Kiosk', 'Atelier', 'Hotline', 'Bistro', 'Depot'][i % 5]} ${String(i).padStart(2, '0')}`,
          // Three by three on the same instant: the id breaks the tie.
          providerCreatedAt: new Date(Date.UTC(2026, 0, 1 + Math.floor(i / 3))),
          status: LIFECYCLE[i % 8],
          registrationStatus: REGISTRATION[Math.floor(i / 3) % 4],
          billingState: BILLING[(i * 5) % 3],
          qualityRating: QUALITY[Math.floor(i / 5) % QUALITY.length],
        });
        const values = {
          lifecycle: n.status,
          waba: waba.status,
          verification: waba.businessVerificationStatus,
          onBehalf: waba.messageOnBehalfStatus,
          registration: n.registrationStatus,
          consent: clients[ci].consentStatus,
          billing: n.billingState,
        };
        made.push({
          id: n.id,
          providerId: n.providerId,
          phone: n.phoneNumber,
          display: n.displayName ?? null,
          clientId: clients[ci].id,
          clientName: clients[ci].name,
          wabaId: waba.id,
          created: n.providerCreatedAt,
          values,
          all: { ...values, quality: n.qualityRating, tier: n.messagingTier },
        });
      }
      // Neither a removed number nor another partner's shows up anywhere.
      await createNumber(t.em(), partner, { billingState: 'removed', client: clients[0], waba: wabas[0][0] });
      await createNumber(t.em(), await createPartner(t.em()), { status: 'error' });
      agent = await memberAgent(partner);
    });

    /** The sort key of a number, as the list must order it: status families by their catalogue rank. */
    function keyOf(m: Made, field: SortField): string | number {
      switch (field) {
        case 'created':
          return m.created.getTime();
        case 'phone':
          return m.phone;
        case 'client':
          return m.clientName;
        case 'display':
          return m.display ?? '';
        default:
          return familyValues(field).indexOf(m.values[field] as never);
      }
    }

    /** The numbers a filter must match. */
    const matching = (want: Partial<Record<FilterFamily, string[]>>, clientId?: string) =>
      made.filter(
        (m) =>
          (!clientId || m.clientId === clientId) &&
          Object.entries(want).every(([f, values]) => values!.includes(m.values[f as FilterFamily])),
      );

    /**
     * Walks every page from `url` with Next page, then back from the last with Previous page to
     * the first: the same pages in reverse, each saying where it stands. Returns the ids in order.
     */
    async function walkBothWays(url: string, size: number, total: number): Promise<string[]> {
      const forward = await walkPages(agent, url, 'next');
      expect(forward).toHaveLength(Math.ceil(total / size));
      forward.forEach((page, k) => {
        expect(resultsLine(page.html).showing, page.url).toBe(showing(k, size, total));
        expect(ids(page).length).toBe(k < forward.length - 1 ? size : total - k * size);
        expect(new URL(page.url, 'http://x').searchParams.get('size')).toBe(size === 50 ? null : String(size));
      });
      const backward = await walkPages(agent, forward.at(-1)!.url, 'previous');
      expect(backward.map(ids)).toEqual(forward.map(ids).reverse());
      backward.forEach((page, j) => {
        expect(resultsLine(page.html).showing, page.url).toBe(showing(forward.length - 1 - j, size, total));
      });
      // The first page, reached again, links nowhere back.
      expect(pagerLinks(backward.at(-1)!.html).previous).toBeUndefined();
      expect(pagerLinks(backward.at(-1)!.html).first).toBeUndefined();
      const walked = forward.flatMap(ids);
      expect(new Set(walked).size).toBe(walked.length);
      return walked;
    }

    /** The header of a column on a page, by its sort field. */
    function headerOf(html: string, field: SortField) {
      const labels: Record<SortField, string> = {
        created: 'Created',
        phone: 'Phone number',
        client: 'Client',
        display: 'Display name',
        ...(Object.fromEntries(FILTER_FAMILIES.map((f) => [f, FAMILIES[f].label])) as Record<FilterFamily, string>),
      };
      const label = labels[field];
      const header = tableHeaders(html).find((h) => h.title === `Sort by ${label}`);
      expect(header, field).toBeDefined();
      return header!;
    }

    function expectOrdered(walked: string[], field: SortField, dir: 'asc' | 'desc') {
      const keys = walked.map((id) => keyOf(byId(id), field));
      for (let i = 1; i < keys.length; i++) {
        const ordered = dir === 'asc' ? keys[i - 1] <= keys[i] : keys[i - 1] >= keys[i];
        expect(ordered, `${field} ${dir}: ${String(keys[i - 1])} then ${String(keys[i])}`).toBe(true);
      }
    }

    const SORT_FIELDS: SortField[] = ['phone', 'client', 'display', 'created', ...FILTER_FAMILIES];

    for (const field of SORT_FIELDS) {
      it(`sorts by the ${field} header both ways, every page once with Next page and back with Previous page`, async () => {
        const start = await agent.get('/accounts?size=25');
        const firstHref = headerOf(start.text, field).href!;
        expect(queryOf(firstHref)).toContain('size=25');
        const first = await agent.get(firstHref);
        expect(first.status).toBe(200);
        // A column sorts ascending when first clicked; Created, the list's own descending order, turns round.
        expect(headerOf(first.text, field).ariaSort).toBe('ascending');
        // Only the sorted header says so.
        expect(tableHeaders(first.text).filter((h) => h.ariaSort)).toHaveLength(1);
        const secondHref = headerOf(first.text, field).href!;
        const second = await agent.get(secondHref);
        expect(headerOf(second.text, field).ariaSort).toBe('descending');

        const asc = await walkBothWays(firstHref, 25, made.length);
        const desc = await walkBothWays(secondHref, 25, made.length);
        expect([...asc].sort()).toEqual(made.map((m) => m.id).sort());
        expectOrdered(asc, field, 'asc');
        expectOrdered(desc, field, 'desc');
        // The id breaks ties the same way round: one order is the other reversed.
        expect(desc).toEqual([...asc].reverse());

        if ((FILTER_FAMILIES as readonly string[]).includes(field)) {
          const family = field as FilterFamily;
          const seen = [...new Set(asc.map((id) => byId(id).values[family]))];
          const catalogue = familyValues(family).filter((v) => seen.includes(v));
          expect(seen).toEqual(catalogue);
          // The data tells the catalogue's order from the alphabet's.
          expect(catalogue).not.toEqual([...catalogue].sort());
        }
      });
    }

    /** The sorts a page's headers give, each both ways: "phone:asc", "phone:desc", … */
    function headerSorts(html: string): string[] {
      return tableHeaders(html)
        .filter((h) => h.href)
        .flatMap((h) => {
          const params = new URL(h.href!, 'http://x').searchParams;
          const field = params.get('sort') ?? 'created';
          return [`${field}:asc`, `${field}:desc`];
        });
    }

    /**
     * Sends the filter form as a browser does, with Sort by at `sort`, from a page showing the
     * search, filters and page size of `kept`, and checks the answer: every choice is one the
     * server takes (nothing left out), chosen again, the header of that sort saying so, and the
     * rows those of the header's own link, ordered and still filtered.
     */
    async function sortWithTheForm(base: string, kept: URLSearchParams, sort: string, want: Made[]) {
      const form = new URLSearchParams(kept);
      form.set('sort', sort);
      const res = await agent.get(`${base}?${form}`);
      expect(res.status, sort).toBe(200);
      expect(listNotices(res.text), sort).toEqual([]);
      expect(
        sortOptions(res.text)
          .filter((o) => o.selected)
          .map((o) => o.value),
        sort,
      ).toEqual([sort]);
      const [field, dir] = sort.split(':') as [SortField, 'asc' | 'desc'];
      expect(headerOf(res.text, field).ariaSort, sort).toBe(dir === 'asc' ? 'ascending' : 'descending');
      const rows = ids({ url: '', html: res.text });
      expect([...rows].sort(), sort).toEqual(want.map((m) => m.id).sort());
      expectOrdered(rows, field, dir);
      const viaHeader = new URLSearchParams(kept);
      viaHeader.set('sort', field);
      viaHeader.set('dir', dir);
      expect(ids({ url: '', html: (await agent.get(`${base}?${viaHeader}`)).text }), sort).toEqual(rows);
    }

    it('offers in Sort by every sort of the headers, both ways, in words, and each sorts as its header does, keeping the search and filters', async () => {
      const kept = new URLSearchParams([
        ['q', 'GmbH'],
        ['lifecycle', 'created'],
        ['lifecycle', 'error'],
        ['lifecycle', 'live'],
        ['size', '100'],
      ]);
      const want = made.filter((m) => m.clientName.includes('GmbH') && ['created', 'error', 'live'].includes(m.values.lifecycle));
      expect(want.length).toBeGreaterThan(1);
      const page = await agent.get(`/accounts?${kept}`);
      const options = sortOptions(page.text);
      expect(options.map((o) => o.value).sort()).toEqual(headerSorts(page.text).sort());
      expect(options).toHaveLength(22);
      expect(options.slice(0, 2)).toEqual([
        { value: 'created:desc', label: 'Created, newest first', selected: true },
        { value: 'created:asc', label: 'Created, oldest first', selected: false },
      ]);
      expect(new Set(options.map((o) => o.label)).size).toBe(options.length);
      for (const { value } of options) await sortWithTheForm('/accounts', kept, value, want);
    });

    it('walks several number statuses newest and oldest first, every page once both ways (a read per status)', async () => {
      const statuses = familyValues('lifecycle').slice(0, 5);
      const want = matching({ lifecycle: statuses });
      expect(want.length).toBeGreaterThan(25);
      const filter = statuses.map((s) => `lifecycle=${s}`).join('&');
      for (const dir of ['desc', 'asc'] as const) {
        const url = `/accounts?${filter}&size=25${dir === 'asc' ? '&sort=created&dir=asc' : ''}`;
        const walked = await walkBothWays(url, 25, want.length);
        expect([...walked].sort()).toEqual(want.map((m) => m.id).sort());
        expectOrdered(walked, 'created', dir);
      }
    });

    it("keeps the search, the filters and the page size in every header's link, and says which header sorts", async () => {
      const url = '/accounts?q=o&lifecycle=error&lifecycle=suspended&registration=failed&registration=registered&size=25&sort=client';
      const res = await agent.get(url);
      expect(res.status).toBe(200);
      const headers = tableHeaders(res.text).filter((h) => h.href);
      expect(headers).toHaveLength(11);
      for (const h of headers) {
        expect(queryOf(h.href!)).toEqual(
          expect.arrayContaining([
            'q=o',
            'lifecycle=error',
            'lifecycle=suspended',
            'registration=registered',
            'registration=failed',
            'size=25',
          ]),
        );
        expect(queryOf(h.href!).some((p) => p.startsWith('after=') || p.startsWith('before='))).toBe(false);
      }
      expect(tableHeaders(res.text).filter((h) => h.ariaSort)).toEqual([
        expect.objectContaining({ text: 'Client', ariaSort: 'ascending' }),
      ]);
      // Followed, a header sorts what the filter matched.
      const byPhone = await agent.get(headerOf(res.text, 'phone').href!);
      const want = made.filter(
        (m) => ['error', 'suspended'].includes(m.values.lifecycle) && ['failed', 'registered'].includes(m.values.registration),
      );
      const walked = tableRows(byPhone.text).map((r) => r.id);
      expect(walked.length).toBeGreaterThan(0);
      for (const id of walked) expect(want.map((m) => m.id)).toContain(id);
      expectOrdered(walked, 'phone', 'asc');
    });

    it('filters on several values of a family and across families, shows each filter as a chip whose link removes only it, and clears them all', async () => {
      const url = '/accounts?lifecycle=error&lifecycle=suspended&registration=failed&registration=pending&sort=phone&size=25';
      const res = await agent.get(url);
      const want = matching({ lifecycle: ['error', 'suspended'], registration: ['failed', 'pending'] });
      expect(want.length).toBeGreaterThan(1);
      expect(tableRows(res.text).map((r) => r.id)).toEqual([...want].sort((a, b) => (a.phone < b.phone ? -1 : 1)).map((m) => m.id));
      expect(resultsLine(res.text).match).toBe(`${want.length} numbers match`);

      const { chips, clearHref } = filterChips(res.text);
      expect(chips.map((c) => c.label)).toEqual(['Status: Error', 'Status: Suspended', 'Registration: Pending', 'Registration: Failed']);
      const without = (label: string) => chips.find((c) => c.label === label)!.removeHref;
      expect(queryOf(without('Status: Error'))).toEqual(
        ['lifecycle=suspended', 'registration=failed', 'registration=pending', 'sort=phone', 'size=25'].sort(),
      );

      // Following a chip's link drops that value and nothing else.
      const afterRemove = await agent.get(without('Status: Error'));
      const rest = matching({ lifecycle: ['suspended'], registration: ['failed', 'pending'] });
      expect(
        tableRows(afterRemove.text)
          .map((r) => r.id)
          .sort(),
      ).toEqual(rest.map((m) => m.id).sort());
      expect(filterChips(afterRemove.text).chips.map((c) => c.label)).toEqual([
        'Status: Suspended',
        'Registration: Pending',
        'Registration: Failed',
      ]);
      // The family's last value gone, the family no longer filters.
      const lastOfFamily = filterChips(afterRemove.text).chips.find((c) => c.label === 'Status: Suspended')!.removeHref;
      expect(queryOf(lastOfFamily)).toEqual(['registration=failed', 'registration=pending', 'size=25', 'sort=phone']);
      const walked = (await walkPages(agent, lastOfFamily, 'next')).flatMap(ids);
      expect([...walked].sort()).toEqual(
        matching({ registration: ['failed', 'pending'] })
          .map((m) => m.id)
          .sort(),
      );

      // Clear all keeps the sort and the page size.
      expect(queryOf(clearHref!)).toEqual(['size=25', 'sort=phone']);
      const cleared = await agent.get(clearHref!);
      expect(filterChips(cleared.text).chips).toEqual([]);
      expect(resultsLine(cleared.text)).toEqual({ match: undefined, showing: showing(0, 25, made.length) });

      // A search and "needs attention" are chips too.
      const searched = await agent.get('/accounts?q=Kiosk&attention=1&consent=withdrawn');
      expect(filterChips(searched.text).chips.map((c) => c.label)).toEqual(['Search: “Kiosk”', 'Needs attention', 'Consent: Withdrawn']);
      const noSearch = filterChips(searched.text).chips[0].removeHref;
      expect(queryOf(noSearch)).toEqual(['attention=1', 'consent=withdrawn']);
    });

    it('links a CSV that carries the same filter and holds exactly the numbers the list matches', async () => {
      const url = '/accounts?lifecycle=error&lifecycle=suspended&lifecycle=live&consent=granted&consent=pending&sort=display&size=25';
      const pages = await walkPages(agent, url, 'next');
      const listed = pages.flatMap(ids);
      const want = matching({ lifecycle: ['error', 'suspended', 'live'], consent: ['granted', 'pending'] });
      expect(want.length).toBeGreaterThan(1);
      expect([...listed].sort()).toEqual(want.map((m) => m.id).sort());

      const csvHref = /<a class="button" href="([^"]+)" download>Download CSV<\/a>/
        .exec(pages[0].html)![1]
        .replace(/&amp;/g, '&')
        .replace(/&#x3D;/g, '=');
      expect(new URL(csvHref, 'http://x').pathname).toBe('/accounts/export.csv');
      expect(queryOf(csvHref)).toEqual(queryOf(url).filter((p) => !p.startsWith('size=')));
      const csv = await agent.get(csvHref);
      expect(csv.status).toBe(200);
      const records = parse(csv.text, { bom: true, columns: true }) as Record<string, string>[];
      // In the list's order, one row per number listed.
      expect(records.map((r) => r['Number ID'])).toEqual(listed.map((id) => byId(id).providerId));
    });

    it('counts what the filter matches, and sums up the filtered numbers per status', async () => {
      const res = await agent.get('/accounts?lifecycle=error&lifecycle=created&lifecycle=live&lifecycle=running');
      const want = matching({ lifecycle: ['error', 'created', 'live', 'running'] });
      const figures = summaryFigures(res.text);
      expect(figures.total).toBe(String(want.length));
      expect(figures.byStatus).toEqual(
        Object.fromEntries(
          ['created', 'running', 'live', 'error'].map((v) => [
            statusDef('lifecycle', v)!.label,
            String(want.filter((m) => m.values.lifecycle === v).length),
          ]),
        ),
      );
      // A problem status in any family the catalogue marks (withdrawn consent and a red
      // quality rating too), or created long ago (pending over 7 days).
      const faults = (m: Made) => FAMILY_KEYS.filter((f) => statusDef(f, m.all[f])!.attention);
      const attention = want.filter((m) => m.values.lifecycle === 'created' || faults(m).length > 0);
      // Among them, numbers whose client withdrew consent, and numbers at fault only for their quality.
      expect(want.some((m) => faults(m).includes('consent'))).toBe(true);
      expect(want.some((m) => faults(m).join() === 'quality')).toBe(true);
      expect(figures.attention).toBe(String(attention.length));
      const attentionList = await agent.get(
        '/accounts?lifecycle=error&lifecycle=created&lifecycle=live&lifecycle=running&attention=1&size=100',
      );
      expect(
        tableRows(attentionList.text)
          .map((r) => r.id)
          .sort(),
      ).toEqual(attention.map((m) => m.id).sort());
    });

    describe("a client's page", () => {
      it('shows the legal name, contact email, consent and each WABA with its ids and statuses, then its numbers without a client column', async () => {
        const client = clients[0];
        const res = await agent.get(`/clients/${client.id}`);
        expect(res.status).toBe(200);
        expect(res.text).toContain(`<h1>${client.name}</h1>`);
        expect(res.text).toContain(`<dt>Company legal name</dt><dd>${client.name}</dd>`);
        // The address wraps after its @ and before its dots.
        expect(res.text).toContain(
          `<a href="mailto:${client.contactEmail}">${client.contactEmail!.replace('@', '@<wbr>').replaceAll('.', '<wbr>.')}</a>`,
        );
        expect(res.text).toMatch(
          /<dt>Consent Status<\/dt><dd><a class="badge badge-green" href="\/account-statuses#consent-granted"[^>]*>Granted<\/a>/,
        );
        const wabaItems = res.text.split('<li class="waba">').slice(1);
        expect(wabaItems).toHaveLength(2);
        for (const waba of wabas[0]) {
          const item = wabaItems.find((w) => w.includes(`WABA Account External ID</dt><dd><code>${waba.externalId}</code>`))!;
          expect(item, waba.externalId).toBeDefined();
          expect(item).toContain(`WABA ID (provider)</dt><dd><code>${waba.providerId}</code>`);
          expect(item).toContain(`Namespace</dt><dd><code>${waba.namespace}</code>`);
          for (const [family, value] of [
            ['waba', waba.status],
            ['verification', waba.businessVerificationStatus],
            ['onBehalf', waba.messageOnBehalfStatus],
          ] as const) {
            expect(item).toContain(`href="/account-statuses#${family}-${value}"`);
            expect(item).toContain(`<span class="badge-family">${FAMILIES[family].short}</span> ${statusDef(family, value)!.label}</a>`);
          }
          // Its numbers still in the hub: the removed one is not counted.
          expect(item).toContain(`<dt>Numbers in the hub</dt><dd>${made.filter((m) => m.wabaId === waba.id).length}</dd>`);
        }
        expect(tableHeaders(res.text).map((h) => h.text)).not.toContain('Client');
        const rows = tableRows(res.text);
        expect(rows.every((r) => r.client === undefined)).toBe(true);
        expect(rows.map((r) => r.id).sort()).toEqual(
          matching({}, client.id)
            .map((m) => m.id)
            .sort(),
        );
        expect(summaryFigures(res.text).total).toBe('30');
      });

      it('filters and sorts its numbers as the list does, every page once, and links the CSV of the client', async () => {
        const client = clients[0];
        const base = `/clients/${client.id}`;
        const start = await agent.get(`${base}?size=25`);
        const byPhone = headerOf(start.text, 'phone').href!;
        expect(byPhone).toBe(`${base}?sort=phone&size=25`);
        const walked = await walkBothWays(byPhone, 25, 30);
        expect([...walked].sort()).toEqual(
          matching({}, client.id)
            .map((m) => m.id)
            .sort(),
        );
        expectOrdered(walked, 'phone', 'asc');

        const filtered = await agent.get(`${base}?lifecycle=running&lifecycle=ready&lifecycle=inactive&sort=waba&dir=desc`);
        const want = matching({ lifecycle: ['running', 'ready', 'inactive'] }, client.id);
        const rows = tableRows(filtered.text).map((r) => r.id);
        expect([...rows].sort()).toEqual(want.map((m) => m.id).sort());
        expectOrdered(rows, 'waba', 'desc');
        expect(resultsLine(filtered.text).match).toBe(`${want.length} numbers match`);
        expect(filterChips(filtered.text).clearHref).toBe(`${base}?sort=waba&dir=desc`);
        expect(filtered.text.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=')).toContain(
          `href="/accounts/export.csv?lifecycle=ready&lifecycle=running&lifecycle=inactive&sort=waba&dir=desc&client=${client.id}"`,
        );
      });

      it('keeps the way back it was opened with in its own links (pager, sorts, chips, counts, search form, layout), and drops one off the list', async () => {
        const client = clients[0];
        const base = `/clients/${client.id}`;
        const back = '/accounts?q=gmbh&sort=phone&size=25';
        const unescaped = (href: string) => href.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
        const backOf = (href: string) => new URL(unescaped(href), 'http://x').searchParams.get('back');
        const start = await agent.get(`${base}?size=25`).query({ back });
        const filtered = await agent.get(`${base}?size=25&lifecycle=running&attention=1`).query({ back });
        const links = [
          pagerLinks(start.text).next!,
          ...tableHeaders(start.text).flatMap((h) => (h.href ? [h.href] : [])),
          ...[...start.text.matchAll(/<li><a href="([^"]+)"><svg class="swatch"/g)].map((m) => m[1]),
          ...filterChips(filtered.text).chips.map((c) => c.removeHref),
          filterChips(filtered.text).clearHref!,
        ];
        expect(links.length).toBeGreaterThan(10);
        for (const href of links) expect(backOf(href), href).toBe(back);
        // The search form sends it on, and the layout switch returns to a page that has it.
        expect(unescaped(/<input type="hidden" name="back" value="([^"]*)">/.exec(start.text)![1])).toBe(back);
        expect(backOf(/<input type="hidden" name="return" value="([^"]*)">/.exec(start.text)![1])).toBe(back);
        // The next page's crumb still leads back to that list.
        const next = await agent.get(unescaped(pagerLinks(start.text).next!));
        expect(unescaped(/<p class="breadcrumb"><a href="([^"]+)">WhatsApp Accounts<\/a>/.exec(next.text)![1])).toBe(back);

        for (const hostile of ['//evil.example', '/users', `/clients/${clients[1].id}`, 'https://x/accounts']) {
          const res = await agent.get(`${base}?sort=phone&attention=1`).query({ back: hostile });
          expect(res.status, hostile).toBe(200);
          // The page's own links (its numbers' links lead back to it, as they should).
          const own = [...res.text.matchAll(/href="(\/clients\/[^"]+)"/g)].map((m) => unescaped(m[1]));
          expect(own.length, hostile).toBeGreaterThan(5);
          for (const href of own) expect(backOf(href), href).toBeNull();
          expect(res.text, hostile).not.toContain('name="back"');
        }
      });

      it('offers in Sort by the sorts of its own headers, both ways, the client sort left out, and takes each', async () => {
        const client = clients[0];
        const base = `/clients/${client.id}`;
        const kept = new URLSearchParams([
          ['registration', 'pending'],
          ['registration', 'failed'],
          ['size', '100'],
        ]);
        const page = await agent.get(`${base}?${kept}`);
        const options = sortOptions(page.text).map((o) => o.value);
        expect(options.sort()).toEqual(headerSorts(page.text).sort());
        expect(options).not.toContain('client:asc');
        const want = matching({ registration: ['pending', 'failed'] }, client.id);
        for (const value of options) await sortWithTheForm(base, kept, value, want);
      });

      it("answers another partner's client and an unknown id with the same 404, and a malformed id with 404", async () => {
        const foreign = await createClient(t.em(), await createPartner(t.em()), { name: 'Foreign Client GmbH' });
        const other = await agent.get(`/clients/${foreign.id}`);
        const unknown = await agent.get(`/clients/${'Z'.repeat(22)}`);
        expect(other.status).toBe(404);
        expect(unknown.status).toBe(404);
        expect(other.text).not.toContain('Foreign Client GmbH');
        expect(stable(other.text)).toBe(stable(unknown.text));
        for (const id of ['nope', `${clients[0].id}x`, '..%2Fusers']) {
          const res = await agent.get(`/clients/${id}`);
          expect(res.status, id).toBe(404);
        }
        expect((await agent.get(`/accounts?client=${foreign.id}`)).status).toBe(303);
      });

      it('sends a client filter on the whole list to the client page, with the rest of the filter', async () => {
        const res = await agent.get(`/accounts?client=${clients[1].id}&lifecycle=error&sort=phone`);
        expect(res.status).toBe(303);
        expect(res.headers.location).toBe(`/clients/${clients[1].id}?lifecycle=error&sort=phone`);
        const page = await agent.get(res.headers.location);
        expect(tableRows(page.text).map((r) => r.id)).toEqual(
          matching({ lifecycle: ['error'] }, clients[1].id)
            .sort((a, b) => (a.phone < b.phone ? -1 : 1))
            .map((m) => m.id),
        );
        const badClient = await agent.get('/accounts?client=not-an-id');
        expect(badClient.status).toBe(200);
        expect(listNotices(badClient.text)).toEqual([
          'Part of this link could not be used and was left out: the client. The list shows what the rest of it asks for.',
        ]);
      });
    });

    describe('the layout each person chooses', () => {
      let cardsAgent: Agent;

      beforeAll(async () => {
        cardsAgent = await memberAgent(partner);
      });

      it('remembers the cards for the person who chose them, back on the list they were on, and not for anyone else', async () => {
        const list = '/accounts?lifecycle=running&lifecycle=error&sort=client&size=100';
        const page = await cardsAgent.get(list);
        expect(page.text).toContain('aria-pressed="true">Table</button>');
        const res = await cardsAgent
          .post('/accounts/layout')
          .type('form')
          .send({ _csrf: csrfFrom(page.text), layout: 'cards', return: list });
        expect(res.status).toBe(303);
        expect(res.headers.location).toBe(list);

        const cards = await cardsAgent.get(list);
        expect(cards.text).not.toContain('<table class="numbers">');
        expect(cards.text).toContain('aria-pressed="true">Cards</button>');
        const sections = cardSections(cards.text);
        const want = matching({ lifecycle: ['running', 'error'] });
        expect(sections.flatMap((s) => s.cards.map((c) => c.id)).sort()).toEqual(want.map((m) => m.id).sort());
        // One heading per client, in the client order, each over all its numbers on the page.
        const names = [...new Set(want.map((m) => m.clientName))].sort();
        expect(sections.map((s) => s.heading?.name)).toEqual(names);
        for (const s of sections) {
          const client = clients.find((c) => c.name === s.heading!.name)!;
          // Its client page leads back to this list.
          expect(s.heading!.href).toBe(`/clients/${client.id}?back=${encodeURIComponent(list)}`);
          expect(s.cards.map((c) => byId(c.id).clientId)).toEqual(s.cards.map(() => client.id));
          expect(s.cards).toHaveLength(want.filter((m) => m.clientId === client.id).length);
          // The heading names the client: the card does not repeat it.
          expect(s.cards.every((c) => c.client === undefined)).toBe(true);
        }

        // Every badge writes its family's name.
        for (const card of sections.flatMap((s) => s.cards)) {
          const m = byId(card.id);
          expect(card.badges.map((b) => `${b.family}: ${b.label}`)).toEqual(
            (['lifecycle', 'waba', 'verification', 'onBehalf', 'registration', 'consent', 'billing'] as const).map(
              (f) => `${FAMILIES[f].short}: ${statusDef(f, m.values[f])!.label}`,
            ),
          );
        }

        // Someone else on the team still sees the table.
        expect((await agent.get(list)).text).toContain('<table class="numbers">');
      });

      it('names the client on each card, under no heading, in any other sort', async () => {
        const list = '/accounts?sort=phone&size=100';
        const page = await cardsAgent.get(list);
        const sections = cardSections(page.text);
        expect(sections).toHaveLength(1);
        expect(sections[0].heading).toBeUndefined();
        expect(page.text).not.toContain('class="client-heading"');
        // The cards' h4 still follow an h3, for screen readers only: no heading level skipped.
        expect(page.text).toContain('<h3 id="client-0" class="visually-hidden">Numbers</h3>');
        expect(sections[0].cards).toHaveLength(made.length);
        for (const card of sections[0].cards) {
          const m = byId(card.id);
          expect(card.client).toEqual({ name: m.clientName, href: `/clients/${m.clientId}?back=${encodeURIComponent(list)}` });
        }
      });

      it('goes back to the table, and refuses a return address off the list and an unknown layout', async () => {
        const page = await cardsAgent.get('/accounts');
        const _csrf = csrfFrom(page.text);
        for (const hostile of ['//evil.example', 'https://evil.example', '/\\evil.example', '/users', 'javascript:alert(1)', '']) {
          const res = await cardsAgent.post('/accounts/layout').type('form').send({ _csrf, layout: 'cards', return: hostile });
          expect(res.status, hostile).toBe(303);
          expect(res.headers.location, hostile).toBe('/accounts');
        }
        const unknown = await cardsAgent.post('/accounts/layout').type('form').send({ _csrf, layout: 'grid', return: '/accounts' });
        expect(unknown.status).toBe(400);
        expect((await cardsAgent.get('/accounts')).text).toContain('<article class="card');

        const clientPage = `/clients/${clients[2].id}?sort=phone`;
        const back = await cardsAgent.post('/accounts/layout').type('form').send({ _csrf, layout: 'table', return: clientPage });
        expect(back.headers.location).toBe(clientPage);
        expect((await cardsAgent.get('/accounts')).text).toContain('<table class="numbers">');
      });
    });

    describe('the way back from a number', () => {
      it('leads back to the list as it was: filters, sort and page', async () => {
        const pages = await walkPages(
          agent,
          '/accounts?lifecycle=running&lifecycle=live&lifecycle=error&sort=phone&size=25&lifecycle=inactive',
          'next',
        );
        expect(pages.length).toBeGreaterThan(1);
        const second = pages[1];
        expect(queryOf(second.url).some((p) => p.startsWith('after='))).toBe(true);
        const row = tableRows(second.html)[3];
        const back = new URL(row.href, 'http://x').searchParams.get('back')!;
        expect(back).toBe(second.url);

        const details = await agent.get(row.href);
        expect(details.status).toBe(200);
        const crumb = /<p class="breadcrumb"><a href="([^"]+)">WhatsApp Accounts<\/a> › <a href="([^"]+)">/.exec(details.text)!;
        const listHref = crumb[1].replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
        expect(listHref).toBe(second.url);
        // The client page it leads to leads back to that list too.
        expect(crumb[2].replace(/&amp;/g, '&').replace(/&#x3D;/g, '=')).toBe(
          `/clients/${byId(row.id).clientId}?back=${encodeURIComponent(second.url)}`,
        );
        // The list it leads to is the page the number was opened from.
        expect(ids({ url: listHref, html: (await agent.get(listHref)).text })).toEqual(ids(second));
      });

      it('goes back to the client page it came from, with its query', async () => {
        const client = clients[0];
        const from = `/clients/${client.id}?lifecycle=created&lifecycle=live&sort=phone`;
        const row = tableRows((await agent.get(from)).text)[0];
        expect(new URL(row.href, 'http://x').searchParams.get('back')).toBe(from);
        const details = await agent.get(row.href);
        const crumb = /<p class="breadcrumb"><a href="([^"]+)">WhatsApp Accounts<\/a> › <a href="([^"]+)">/.exec(details.text)!;
        expect(crumb[1]).toBe('/accounts');
        expect(crumb[2].replace(/&amp;/g, '&').replace(/&#x3D;/g, '=')).toBe(from);
      });

      it('goes back to the list a client page was opened from, through that client page', async () => {
        const list = '/accounts?q=gmbh&sort=phone';
        const listed = tableRows((await agent.get(list)).text)[0];
        const clientPage = `/clients/${byId(listed.id).clientId}?back=${encodeURIComponent(list)}`;
        const row = tableRows((await agent.get(clientPage)).text)[0];
        expect(new URL(row.href, 'http://x').searchParams.get('back')).toBe(clientPage);
        const details = await agent.get(row.href);
        const crumb = /<p class="breadcrumb"><a href="([^"]+)">WhatsApp Accounts<\/a> › <a href="([^"]+)">/.exec(details.text)!;
        const unescape = (href: string) => href.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
        expect(unescape(crumb[1])).toBe(list);
        expect(unescape(crumb[2])).toBe(clientPage);
        // A client page's own way back is read as any other: one off the list is dropped.
        const offList = `/clients/${byId(listed.id).clientId}?back=${encodeURIComponent('//evil.example')}`;
        const dropped = /<p class="breadcrumb"><a href="([^"]+)">/.exec(
          (await agent.get(`/accounts/${row.id}`).query({ back: offList })).text,
        )!;
        expect(dropped[1]).toBe('/accounts');
      });

      it('falls back to WhatsApp Accounts for a back address off the list', async () => {
        const m = made[0];
        for (const back of [
          '//evil.example',
          '/users',
          'https://x',
          '/\\evil.example',
          '/%2F%2Fevil.example',
          '/accounts/../users',
          'https://x/accounts',
        ]) {
          const details = await agent.get(`/accounts/${m.id}`).query({ back });
          expect(details.status, back).toBe(200);
          const crumb = /<p class="breadcrumb"><a href="([^"]+)">WhatsApp Accounts<\/a> › <a href="([^"]+)">/.exec(details.text)!;
          expect(crumb[1], back).toBe('/accounts');
          expect(crumb[2], back).toBe(`/clients/${m.clientId}`);
        }
      });
    });

    it('opens a link an app or a mail tool appended its parameters to, and leaves them out of its own links; a download refuses them', async () => {
      const tracked = 'utm_source=newsletter&fbclid=IwAR0abc';
      const clean = await agent.get('/accounts?lifecycle=error&sort=phone');
      const res = await agent.get(`/accounts?lifecycle=error&sort=phone&${tracked}`);
      expect(res.status).toBe(200);
      expect(tableRows(res.text)).toEqual(tableRows(clean.text));
      expect(filterChips(res.text).chips.map((c) => c.label)).toEqual(['Status: Error']);
      expect(res.text).not.toMatch(/utm_source|fbclid/);
      const onClient = await agent.get(`/clients/${clients[0].id}?${tracked}`);
      expect(onClient.status).toBe(200);
      expect(onClient.text).not.toMatch(/utm_source|fbclid/);
      // A value a known parameter cannot have is still refused; so is any parameter a download does not know.
      const unknownStatus = await agent.get(`/accounts?lifecycle=approved&lifecycle=error&${tracked}`);
      expect(filterChips(unknownStatus.text).chips.map((c) => c.label)).toEqual(['Status: Error']);
      expect(listNotices(unknownStatus.text)).toEqual([
        'Part of this link could not be used and was left out: a “Number status” value it does not know. The list shows what the rest of it asks for.',
      ]);
      expect((await agent.get(`/accounts/export.csv?lifecycle=error&${tracked}`)).status).toBe(400);
    });

    it('opens a link with an unknown sort, a bad direction, a tampered cursor or a cursor of another sort on its first page and says so; a download refuses it', async () => {
      const page = await agent.get('/accounts?sort=lifecycle&size=25');
      const next = pagerLinks(page.text).next!;
      const cursor = new URL(next, 'http://x').searchParams.get('after')!;
      const second = await agent.get(next);
      const before = new URL(pagerLinks(second.text).previous!, 'http://x').searchParams.get('before')!;
      expect((await agent.get(`/accounts?sort=lifecycle&size=25&before=${before}`)).status).toBe(200);

      const forged = (parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString('base64url');
      const [field, dir, , id, pos] = JSON.parse(Buffer.from(before, 'base64url').toString('utf8')) as unknown[];
      const leftOut = (what: string) =>
        `Part of this link could not be used and was left out: ${what}. The list shows what the rest of it asks for.`;
      for (const [query, what] of [
        ['sort=random', 'the sort order'],
        ['sort=phone:sideways', 'the sort order'],
        ['sort=phone&dir=up', 'the sort order'],
        ['sort=phone&dir=asc&dir=desc', 'the sort order'],
        ['sort=random&size=7&after=nope', 'the sort order, the page size and the page'],
      ] as const) {
        const res = await agent.get(`/accounts?${query}&lifecycle=error`);
        expect(res.status, query).toBe(200);
        expect(listNotices(res.text), query).toEqual([leftOut(what)]);
        expect(
          tableRows(res.text).map((r) => r.id),
          query,
        ).toEqual(tableRows((await agent.get('/accounts?lifecycle=error')).text).map((r) => r.id));
        // Every link of the page is the readable part: the pager, the chips, the layout switch.
        expect(pagerLinks(res.text).next ?? '', query).not.toMatch(/random|sideways|dir=up|size=7|nope/);
        expect(filterChips(res.text).chips[0].removeHref, query).toBe('/accounts');
        expect((await agent.get(`/accounts/export.csv?${query}`)).status, `download: ${query}`).toBe(400);
      }
      for (const query of [
        `sort=lifecycle&size=25&before=${before.slice(0, -2)}`,
        `sort=lifecycle&size=25&before=${before}x!`,
        `sort=lifecycle&size=25&before=${forged([field, dir, 'running', id, pos])}`,
        `sort=lifecycle&size=25&before=${forged([field, dir, 1e9, id, pos])}`,
        `sort=lifecycle&size=25&before=${forged([field, dir, 1, 'x'.repeat(22) + "'", pos])}`,
        `sort=lifecycle&size=25&before=${forged([field, dir, 1, id, -1])}`,
        `sort=waba&size=25&before=${before}`,
        `sort=waba&size=25&after=${cursor}`,
        `sort=lifecycle&dir=desc&size=25&after=${cursor}`,
        `sort=lifecycle&size=25&after=${cursor}&after=${cursor}`,
        `size=25&before=${before}`,
      ]) {
        const res = await agent.get(`/accounts?${query}`);
        expect(res.status, query).toBe(200);
        expect(listNotices(res.text), query).toEqual([leftOut('the page')]);
        expect(resultsLine(res.text).showing, query).toMatch(/^Showing 1–25 of /);
        const onClient = await agent.get(`/clients/${clients[0].id}?${query}`);
        expect(onClient.status, `client page: ${query}`).toBe(200);
        expect(listNotices(onClient.text), `client page: ${query}`).toEqual([leftOut('the page')]);
      }
      const clean = await agent.get('/accounts?lifecycle=error');
      expect(listNotices(clean.text)).toEqual([]);
    });
  });

  describe('counts at 10,049 numbers', () => {
    let partner: Partner;
    let agent: Agent;
    const BULK = 10_048;
    // Copy i is an error when i % 8 = 0 and its registration failed when i % 3 = 0; the template is healthy.
    const errors = Math.floor(BULK / 8);
    const failed = Math.floor(BULK / 3);
    const errorAndFailed = Math.floor(BULK / 24);
    const total = BULK + 1;

    let template: WhatsappNumber;

    beforeAll(async () => {
      partner = await createPartner(t.em());
      template = await createNumber(t.em(), partner, { client: { name: 'Bulk Client GmbH' } });
      await copyNumber(t, template.id, BULK, {
        status: "case when s.i % 8 = 0 then 'error' else 'running' end",
        registration: "case when s.i % 3 = 0 then 'failed' else 'registered' end",
      });
      agent = await memberAgent(partner);
    });

    it('shows the stored totals with thousands separators when nothing narrows the list', async () => {
      const res = await agent.get('/accounts');
      expect(res.status).toBe(200);
      const figures = summaryFigures(res.text);
      expect(figures.total).toBe('10,049');
      expect(figures.attention).toBe((errors + failed - errorAndFailed).toLocaleString('en-US'));
      expect(figures.byStatus).toMatchObject({ Running: (total - errors).toLocaleString('en-US'), Error: '1,256', Live: '0' });
      expect(resultsLine(res.text)).toEqual({ match: undefined, showing: 'Showing 1–50 of 10,049' });
      expect(tableRows(res.text)).toHaveLength(50);
    });

    it('says how many match a filter, "1,256 numbers match", with the summary of the filtered numbers', async () => {
      const res = await agent.get('/accounts?lifecycle=error');
      expect(resultsLine(res.text)).toEqual({ match: '1,256 numbers match', showing: 'Showing 1–50 of 1,256' });
      expect(summaryFigures(res.text)).toEqual({ total: '1,256', attention: '1,256', byStatus: { Error: '1,256' } });
      expect(resultsLine((await agent.get('/accounts?lifecycle=error&registration=failed')).text).match).toBe(
        `${errorAndFailed} numbers match`,
      );
      const across = await agent.get('/accounts?lifecycle=running&registration=failed&registration=pending');
      expect(resultsLine(across.text).match).toBe(`${(failed - errorAndFailed).toLocaleString('en-US')} numbers match`);
      expect(summaryFigures(across.text)).toEqual({
        total: (failed - errorAndFailed).toLocaleString('en-US'),
        attention: (failed - errorAndFailed).toLocaleString('en-US'),
        byStatus: { Running: (failed - errorAndFailed).toLocaleString('en-US') },
      });
    });

    it('pages at 25, 50 (the default) and 100, says which rows it shows after Next and Previous page, and refuses another size', async () => {
      for (const [size, rows] of [
        ['', 50],
        ['&size=25', 25],
        ['&size=50', 50],
        ['&size=100', 100],
      ] as const) {
        const res = await agent.get(`/accounts?lifecycle=error${size}`);
        expect(res.status, size).toBe(200);
        expect(tableRows(res.text), size).toHaveLength(rows);
        expect(res.text).toMatch(new RegExp(`<option value="${rows}" selected>`));
      }
      const first = await agent.get('/accounts?lifecycle=error');
      const second = await agent.get(pagerLinks(first.text).next!);
      expect(resultsLine(second.text).showing).toBe('Showing 51–100 of 1,256');
      const third = await agent.get(pagerLinks(second.text).next!);
      expect(resultsLine(third.text).showing).toBe('Showing 101–150 of 1,256');
      const backToSecond = await agent.get(pagerLinks(third.text).previous!);
      expect(resultsLine(backToSecond.text).showing).toBe('Showing 51–100 of 1,256');
      expect(tableRows(backToSecond.text).map((r) => r.id)).toEqual(tableRows(second.text).map((r) => r.id));
      expect(pagerLinks(backToSecond.text).first).toBe('/accounts?lifecycle=error');

      for (const size of ['7', '0', '51', '25.0', 'abc', '1e2']) {
        const res = await agent.get(`/accounts?lifecycle=error&size=${size}`);
        expect(listNotices(res.text), size).toEqual([
          'Part of this link could not be used and was left out: the page size. The list shows what the rest of it asks for.',
        ]);
        expect(resultsLine(res.text).showing, size).toBe('Showing 1–50 of 1,256');
      }
    });

    it(`caps the count past ${COUNT_CAP.toLocaleString('en-US')}: "10,000+ numbers match", with no split per status`, async () => {
      for (const url of ['/accounts?billing=partner_paid', '/accounts?lifecycle=running&lifecycle=error', '/accounts?q=4917']) {
        const res = await agent.get(url);
        expect(res.status, url).toBe(200);
        expect(resultsLine(res.text), url).toEqual({ match: '10,000+ numbers match', showing: 'Showing 1–50 of 10,000+' });
        const figures = summaryFigures(res.text);
        expect(figures.total, url).toBe('10,000+');
        expect(figures.byStatus, url).toEqual({});
        expect(figures.attention, url).toBeUndefined();
      }
      // Under the cap, exact.
      const running = await agent.get('/accounts?lifecycle=running');
      expect(resultsLine(running.text).match).toBe(`${(total - errors).toLocaleString('en-US')} numbers match`);
    });

    it('keeps a filter’s count and a WABA’s count until a change is marked, and the unfiltered totals until they are recounted', async () => {
      const inHub = async () =>
        /<dt>Numbers in the hub<\/dt><dd>([\d,]+)<\/dd>/.exec((await agent.get(`/clients/${template.client.id}`)).text)?.[1];
      await agent.get('/accounts');
      expect(resultsLine((await agent.get('/accounts?lifecycle=error')).text).match).toBe('1,256 numbers match');
      expect(await inHub()).toBe('10,049');
      // Written behind the app's back: nothing marked the partner's numbers changed.
      await createNumber(t.em(), partner, { status: 'error', client: { name: 'Late Client GmbH' } });
      await createNumber(t.em(), partner, { client: template.client, waba: template.wabaAccount });
      expect(resultsLine((await agent.get('/accounts?lifecycle=error')).text).match).toBe('1,256 numbers match');
      expect(await inHub()).toBe('10,049');
      // Every write of the app marks its change in its transaction (the import, revocations).
      await t.em().transactional((tx) => t.app.get(NumberSummaries).markChanged(tx, [partner.id]));
      expect(summaryFigures((await agent.get('/accounts')).text).total).toBe('10,049');
      expect(resultsLine((await agent.get('/accounts?lifecycle=error')).text).match).toBe('1,257 numbers match');
      expect(await inHub()).toBe('10,050');
      await t.app.get(NumberSummaries).refresh([partner.id]);
      const recounted = summaryFigures((await agent.get('/accounts')).text);
      expect(recounted.total).toBe('10,051');
      expect(recounted.byStatus.Error).toBe('1,257');
    });
  });
});

describe('the layout chosen behind one process of several', () => {
  const TABLE = 'aria-pressed="true">Table</button>';
  const CARDS = 'aria-pressed="true">Cards</button>';

  it('shows at once in another process that had just shown the table, and stays chosen there', async () => {
    const first = await createTestApp();
    try {
      // A second process on the same database, as another HTTP worker or instance would be.
      const second = await createTestApp({
        clock: first.clock,
        database: {
          env: first.config.database.url ? { DATABASE_URL: first.config.database.url } : { SQLITE_PATH: first.config.database.sqlitePath },
          drop: async () => {},
        },
        migrate: false,
      });
      try {
        const person = await createMember(first.em(), await createPartner(first.em()));
        const agent = first.agent();
        const cookies = (await signIn(agent, person.email, person.password)).headers['set-cookie'] as unknown as string[];
        const cookie = cookies.find((c) => c.startsWith(`${first.config.session.cookieName}=`))!.split(';')[0];
        const onSecond = () => second.agent().get('/accounts').set('Cookie', cookie);
        // Both processes have shown this person the table, and keep it for a while.
        const page = await agent.get('/accounts');
        expect(page.text).toContain(TABLE);
        expect((await onSecond()).text).toContain(TABLE);

        const chosen = await agent
          .post('/accounts/layout')
          .type('form')
          .send({ _csrf: csrfFrom(page.text), layout: 'cards', return: '/accounts' });
        expect(chosen.status).toBe(303);
        expect((await onSecond()).text).toContain(CARDS);
        // Once no process can hold the table any more, the saved choice is what every one reads.
        first.clock.advance(KEEP_VIEW_MS + 1);
        expect((await onSecond()).text).toContain(CARDS);
        expect((await agent.get('/accounts')).text).toContain(CARDS);
      } finally {
        await second.close();
      }
    } finally {
      await first.close();
    }
  });
});
