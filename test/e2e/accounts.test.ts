import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WhatsappNumber } from '../../src/accounts/entities/whatsapp-number.entity';
import { encodeCursor } from '../../src/accounts/number-filter';
import { FAMILIES, FAMILY_KEYS, statusAnchor, statusDef } from '../../src/statuses/catalogue';
import { Revocation } from '../../src/revocation/entities/revocation.entity';
import type { Partner } from '../../src/partners/entities/partner.entity';
import { createTestApp, type TestApp } from '../support/app';
import { DAY } from '../support/clock';
import { postForm, signIn } from '../support/http';
import { listNotices } from '../support/list';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createClient, createNumber, createStatusChange, createWaba } from '../factories/accounts';

type Agent = ReturnType<TestApp['agent']>;

/** The ids of the numbers in the table of a list page (the default layout), in page order. */
function rowIds(html: string): string[] {
  return [...html.matchAll(/<th scope="row" class="cell-phone"><a href="\/accounts\/([A-Za-z0-9_-]{22})[?"]/g)].map((m) => m[1]);
}
/** Chooses the cards (or the table) for this person, with the layout switch's form, as a browser sends it. */
async function useLayout(agent: Agent, layout: 'cards' | 'table'): Promise<void> {
  const res = await postForm(agent, '/accounts/layout', { layout, return: '/accounts' }, '/accounts');
  expect(res.status).toBe(303);
}
/**
 * The numbers a search finds: the rows of the list, or the one number whose page the search
 * went straight to (a search for its exact phone or id).
 */
function foundIds(res: { status: number; text: string; headers: Record<string, string> }): string[] {
  if (res.status === 303) return [/^\/accounts\/([A-Za-z0-9_-]{22})\?back=/.exec(res.headers.location)![1]];
  expect(res.status).toBe(200);
  return rowIds(res.text);
}
function nextHref(html: string): string | undefined {
  const m = /<a class="button secondary" href="([^"]+)" rel="next">/.exec(html);
  return m?.[1].replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
}

describe('WhatsApp Accounts', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  async function signedIn(partner: Partner, role: 'owner' | 'member' = 'owner'): Promise<{ agent: Agent; member: MemberFixture }> {
    const member = await createMember(t.em(), partner, { role });
    const agent = t.agent();
    await signIn(agent, member.email, member.password);
    return { agent, member };
  }

  describe('the list', () => {
    it('shows a card per number under its client: phone with country, display name, badges linking to their meaning, the status view and Show details', async () => {
      const partner = await createPartner(t.em());
      const client = await createClient(t.em(), partner, { name: 'Acme Retail GmbH' });
      const waba = await createWaba(t.em(), client, { status: 'account_violation' });
      const a = await createNumber(t.em(), partner, { client, waba, phoneNumber: '+4915123456789', displayName: 'Acme Support' });
      await createNumber(t.em(), partner, { client, waba, phoneNumber: '+4930901820', displayName: 'Acme Hotline' });
      const { agent } = await signedIn(partner);
      await useLayout(agent, 'cards');

      // Cards sit under their client's heading in the client sort.
      const res = await agent.get('/accounts?sort=client');
      expect(res.status).toBe(200);
      expect(res.text.match(/class="client-heading"/g)).toHaveLength(1);
      expect(res.text).toContain('Acme Retail GmbH');
      expect(res.text).toContain('+49 1512 3456789');
      expect(res.text).toContain('Germany');
      expect(res.text).toContain('Acme Support');
      expect(res.text).toContain(`href="/account-statuses#${statusAnchor('waba', 'account_violation')}"`);
      expect(res.text).toContain(`href="/account-statuses#${statusAnchor('lifecycle', 'running')}"`);
      // The overall status view opens in place, without JavaScript, with meaning and next step.
      expect(res.text).toContain('<details class="overview">');
      expect(res.text).toContain(FAMILIES.waba.statuses.find((s) => s.value === 'account_violation')!.next);
      expect(res.text).toContain('<dt>WABA account</dt>');
      // A compact badge tells its meaning in a title; beside its written meaning it does not repeat it.
      expect(res.text).toMatch(
        /<li><a class="badge badge-\w+" href="[^"]+" title="Number status: [^"]+" tabindex="-1"><span class="badge-family">Status<\/span> Running<\/a>/,
      );
      expect(res.text).toMatch(/<dd><a class="badge badge-\w+" href="[^"]+">Running<\/a>/);
      expect(res.text).not.toContain('[object Object]');
      // Show details leads to the number's page, with the way back to this list.
      expect(res.text).toContain(`<a href="/accounts/${a.id}?back&#x3D;${encodeURIComponent('/accounts?sort=client')}">Show details`);
      expect(res.text).toContain('Needs attention');
      expect(res.text).toContain('href="/accounts/export.csv?sort&#x3D;client"');
    });

    it("shows each card's own statuses, though cards with the same statuses share their rendered badges and overview", async () => {
      const partner = await createPartner(t.em());
      const client = await createClient(t.em(), partner);
      const waba = await createWaba(t.em(), client);
      const live = [
        await createNumber(t.em(), partner, { client, waba, status: 'live' }),
        await createNumber(t.em(), partner, { client, waba, status: 'live' }),
      ];
      const error = await createNumber(t.em(), partner, { client, waba, status: 'error' });
      const { agent } = await signedIn(partner);
      await useLayout(agent, 'cards');

      const res = await agent.get('/accounts');
      const cards = res.text.split('<article').slice(1);
      const cardOf = (id: string) => cards.find((c) => c.includes(`id="card-${id}"`))!;
      const label = (value: string) => FAMILIES.lifecycle.statuses.find((s) => s.value === value)!.label;
      for (const [number, value] of [...live.map((n) => [n, 'live'] as const), [error, 'error'] as const]) {
        const card = cardOf(number.id);
        // Once as a compact badge, once in the overview, and no other number status.
        expect(card.match(new RegExp(`href="/account-statuses#${statusAnchor('lifecycle', value)}"`, 'g'))).toHaveLength(2);
        expect(card).toContain(
          `<dd><a class="badge badge-${statusDef('lifecycle', value)!.colour}" href="/account-statuses#${statusAnchor('lifecycle', value)}">${label(value)}</a>`,
        );
        expect(card.match(/#lifecycle-/g)).toHaveLength(2);
      }
    });

    it('shows a requested revocation in the table row and on the card, with its termination date and the days left', async () => {
      const partner = await createPartner(t.em());
      const number = await createNumber(t.em(), partner);
      const em = t.em();
      const revocation = new Revocation({
        partner: em.getReference('Partner', partner.id) as Partner,
        number: em.getReference(WhatsappNumber, number.id),
        requestedBy: null,
        requestedAt: t.clock.now(),
        terminationDate: '2026-12-31',
        billingEndsAt: new Date('2027-01-01T00:00:00Z'),
        removeAt: new Date('2027-01-15T00:00:00Z'),
        noticeDays: 30,
        alignment: 'end_of_month',
        removalGraceDays: 14,
        billingTimeZone: 'UTC',
      });
      await em.persist(revocation).flush();
      await em.nativeUpdate(WhatsappNumber, { id: number.id }, { billingState: 'revocation_requested' });
      const { agent } = await signedIn(partner);
      const note = 'Revocation requested · terminates 31 December 2026 (UTC) · 35 days left';
      // Beside the "Revocation requested" badge, the table says the rest in short.
      expect((await agent.get('/accounts')).text).toContain(
        `<span class="cell-note revocation-note">Terminates 31 Dec 2026 · 35 days left</span>`,
      );
      await useLayout(agent, 'cards');
      expect((await agent.get('/accounts')).text).toContain(`<p class="revocation-note">${note}</p>`);
    });

    it('finds numbers by phone digits in any format, display name, client, contact email and any id', async () => {
      const partner = await createPartner(t.em());
      const client = await createClient(t.em(), partner, {
        name: 'Nordlicht Reisen GmbH',
        contactEmail: 'team@nordlicht.example',
        providerId: 'CLNORD',
      });
      const hit = await createNumber(t.em(), partner, {
        client,
        phoneNumber: '+4915123450001',
        displayName: 'Nordlicht Bookings',
        externalId: '777000111',
      });
      const miss = await createNumber(t.em(), partner, { phoneNumber: '+447400123456', displayName: 'Other Care' });
      const { agent } = await signedIn(partner);
      // The number's full phone (international or national) or one of its ids opens its page; any
      // other term (part of the phone, the client's id) lists what it finds.
      for (const [q, opens] of [
        ['+49 151 2345-0001', true],
        ['(0151) 23450001', true],
        ['151 2345 0001', true],
        ['2345 0001', false],
        ['4915123450001', true],
        ['nordlicht bookings', false],
        ['NORDLICHT REISEN', false],
        ['team@nordlicht', false],
        ['777000111', true],
        ['clnord', false],
        [hit.providerId, true],
      ] as const) {
        const res = await agent.get('/accounts').query({ q });
        expect(res.status, q).toBe(opens ? 303 : 200);
        expect(foundIds(res), q).toEqual([hit.id]);
      }
      expect(rowIds((await agent.get('/accounts').query({ q: 'other care' })).text)).toEqual([miss.id]);
    });

    it('treats %, _, quotes, backslashes and emoji in a search as text, and answers a 10,000-character search with the search’s error (422)', async () => {
      const partner = await createPartner(t.em());
      // No underscore anywhere in its search text (a WABA namespace such as "123_ns" has one).
      await createNumber(t.em(), partner, { displayName: 'Plain Name', waba: { namespace: null } });
      const odd = await createNumber(t.em(), partner, { displayName: 'Sale 100% _now_ "quoted" O\'Brien \\ 🎉' });
      const { agent } = await signedIn(partner);
      for (const q of ['%', '_', '100%', '_now_', '"quoted"', "O'Brien", '\\', '🎉']) {
        const res = await agent.get('/accounts').query({ q });
        expect(res.status, q).toBe(200);
        expect(rowIds(res.text), q).toEqual([odd.id]);
      }
      for (const q of ["'; drop table whatsapp_number; --", '%%%%', '😀']) {
        const res = await agent.get('/accounts').query({ q });
        expect(res.status, q).toBe(200);
        expect(rowIds(res.text)).toEqual([]);
        expect(res.text).toContain('No numbers match this search.');
      }
      const long = await agent.get('/accounts').query({ q: 'x'.repeat(10_000) });
      expect(long.status).toBe(422);
      expect(long.text).toContain('Search for at most 200 characters.');
      expect(await t.em().count(WhatsappNumber, { partner })).toBe(2);
    });

    it('filters by every status family and by "needs attention"', async () => {
      const partner = await createPartner(t.em());
      const healthy = await createNumber(t.em(), partner);
      const suspended = await createNumber(t.em(), partner, { status: 'suspended' });
      const banned = await createNumber(t.em(), partner, { waba: { status: 'account_banned' } });
      const rejected = await createNumber(t.em(), partner, { waba: { businessVerificationStatus: 'rejected' } });
      const denied = await createNumber(t.em(), partner, { waba: { messageOnBehalfStatus: 'denied' } });
      const failed = await createNumber(t.em(), partner, { registrationStatus: 'failed' });
      const withdrawn = await createNumber(t.em(), partner, { client: { consentStatus: 'withdrawn' } });
      const ending = await createNumber(t.em(), partner, { billingState: 'partner_billing_ended' });
      const red = await createNumber(t.em(), partner, { qualityRating: 'red' });
      const stuck = await createNumber(t.em(), partner, {
        status: 'submitted',
        statusChangedAt: new Date(t.clock.now().getTime() - 8 * DAY),
      });
      const fresh = await createNumber(t.em(), partner, {
        status: 'submitted',
        statusChangedAt: new Date(t.clock.now().getTime() - 1 * DAY),
      });
      const { agent } = await signedIn(partner);
      const list = async (query: Record<string, string>) => (await agent.get('/accounts').query(query)).text;

      expect(rowIds(await list({ lifecycle: 'suspended' }))).toEqual([suspended.id]);
      expect(rowIds(await list({ waba: 'account_banned' }))).toEqual([banned.id]);
      expect(rowIds(await list({ verification: 'rejected' }))).toEqual([rejected.id]);
      expect(rowIds(await list({ onBehalf: 'denied' }))).toEqual([denied.id]);
      expect(rowIds(await list({ registration: 'failed' }))).toEqual([failed.id]);
      expect(rowIds(await list({ consent: 'withdrawn' }))).toEqual([withdrawn.id]);
      expect(rowIds(await list({ billing: 'partner_billing_ended' }))).toEqual([ending.id]);
      expect(rowIds(await list({ lifecycle: 'submitted' })).sort()).toEqual([stuck.id, fresh.id].sort());
      expect(rowIds(await list({ lifecycle: 'running', waba: 'account_banned' }))).toEqual([banned.id]);
      expect(rowIds(await list({ attention: '1' })).sort()).toEqual(
        [suspended.id, banned.id, rejected.id, denied.id, failed.id, withdrawn.id, red.id, stuck.id].sort(),
      );
      expect(rowIds(await list({ attention: '1' }))).not.toContain(healthy.id);
      // The summary counts the same numbers the attention filter lists.
      expect(await list({})).toMatch(/<strong>8<\/strong> need attention/);
      // The filter stays selected, and Download CSV keeps it.
      const page = await list({ waba: 'account_banned', q: 'x' });
      expect(page).toContain('<input type="checkbox" id="f-waba-account_banned" name="waba" value="account_banned" checked>');
      expect(page.replace(/&#x3D;/g, '=')).toContain('href="/accounts/export.csv?q=x&amp;waba=account_banned"');
      expect(page).toContain('href="/accounts/export.csv" download aria-label="CSV of all accounts">CSV</a>');
      expect(page).toContain('href="/accounts/export.xlsx" download aria-label="Excel of all accounts">Excel</a>');
    });

    it('opens a link with an unknown filter value or sort key without them and says so; a repeated search is the search’s error (422), never 500', async () => {
      const partner = await createPartner(t.em());
      const { agent } = await signedIn(partner);
      for (const [query, what] of [
        ['lifecycle=exploded', 'a “Number status” value it does not know'],
        ['billing=removed', 'a “Billing” value it does not know'],
        ['sort=random', 'the sort order'],
        ['attention=yes', 'the attention filter'],
      ]) {
        const res = await agent.get(`/accounts?${query}`);
        expect(res.status, query).toBe(200);
        expect(listNotices(res.text), query).toEqual([
          `Part of this link could not be used and was left out: ${what}. The list shows what the rest of it asks for.`,
        ]);
      }
      expect((await agent.get('/accounts?q=a&q=b')).status).toBe(422);
      // An empty sort is the default; a name the list does not know (`lifecycle[]`, `q[a]`) is left out, as a link may carry one.
      for (const query of ['sort=', 'lifecycle[]=live', 'q[a]=1']) expect((await agent.get(`/accounts?${query}`)).status, query).toBe(200);
    });

    it('sorts by newest, client and phone and pages with a cursor that keeps the filter, with no overlap and no gap', async () => {
      const partner = await createPartner(t.em());
      const made: WhatsappNumber[] = [];
      const clients = await Promise.all(['Zeta AG', 'Alpha GmbH', 'Mid Ltd'].map((name) => createClient(t.em(), partner, { name })));
      for (let i = 0; i < 30; i++) {
        made.push(
          await createNumber(t.em(), partner, {
            client: clients[i % 3],
            phoneNumber: `+4915123${String(450000 + ((i * 7) % 30)).padStart(6, '0')}`,
            // Some share a creation instant: the id breaks the tie.
            providerCreatedAt: new Date(Date.UTC(2026, 0, 1 + Math.floor(i / 2))),
            status: i % 5 === 0 ? 'error' : 'running',
          }),
        );
      }
      await createNumber(t.em(), partner, { billingState: 'removed' });
      const { agent } = await signedIn(partner);

      async function walk(query: string): Promise<string[]> {
        const ids: string[] = [];
        let href: string | undefined = `/accounts${query}`;
        for (let pages = 0; href && pages < 10; pages++) {
          const res = await agent.get(href);
          expect(res.status).toBe(200);
          ids.push(...rowIds(res.text));
          href = nextHref(res.text);
          if (href) expect(href).toContain(query.replace('?', ''));
        }
        return ids;
      }
      const byNewest = [...made].sort((a, b) => b.providerCreatedAt.getTime() - a.providerCreatedAt.getTime() || (a.id < b.id ? 1 : -1));
      // 25 a page: the 30 numbers take two.
      const walked = await walk('?size=25');
      expect(walked).toHaveLength(30);
      expect(new Set(walked).size).toBe(30);
      expect(walked.map((id) => made.find((m) => m.id === id)!.providerCreatedAt.getTime())).toEqual(
        byNewest.map((m) => m.providerCreatedAt.getTime()),
      );

      const byClient = await walk('?sort=client&size=25');
      expect(byClient.map((id) => made.find((m) => m.id === id)!.clientName)).toEqual([...made.map((m) => m.clientName)].sort());
      const byPhone = await walk('?sort=phone&size=25');
      expect(byPhone.map((id) => made.find((m) => m.id === id)!.phoneNumber)).toEqual([...made.map((m) => m.phoneNumber)].sort());
      const errors = await walk('?lifecycle=error&sort=phone&size=25');
      expect(errors.sort()).toEqual(
        made
          .filter((m) => m.status === 'error')
          .map((m) => m.id)
          .sort(),
      );
    });

    it('opens a tampered cursor, or one from another sort, on the first page and says so', async () => {
      const partner = await createPartner(t.em());
      await createNumber(t.em(), partner);
      const { agent } = await signedIn(partner);
      const good = encodeCursor({ sort: { field: 'client', dir: 'asc' }, key: 'Acme', id: 'A'.repeat(22) });
      expect((await agent.get(`/accounts?sort=client&after=${good}`)).status).toBe(200);
      const tampered = [
        'not-base64!',
        Buffer.from('{"a":1}').toString('base64url'),
        Buffer.from('["client","x","short"]').toString('base64url'),
        Buffer.from('["newest","yesterday","AAAAAAAAAAAAAAAAAAAAAA"]').toString('base64url'),
        good.slice(0, -3),
        'A'.repeat(5000),
      ];
      const leftOutPage = ['Part of this link could not be used and was left out: the page. The list shows what the rest of it asks for.'];
      for (const after of tampered)
        expect(listNotices((await agent.get('/accounts').query({ sort: 'client', after })).text), after).toEqual(leftOutPage);
      expect(listNotices((await agent.get(`/accounts?sort=phone&after=${good}`)).text)).toEqual(leftOutPage);
      expect(listNotices((await agent.get(`/accounts?sort=client&dir=desc&after=${good}`)).text)).toEqual(leftOutPage);
    });

    it('sums up counts per status and those needing attention, without removed numbers or other partners, each a link to its list', async () => {
      const partner = await createPartner(t.em());
      await createNumber(t.em(), partner, { status: 'running' });
      await createNumber(t.em(), partner, { status: 'running' });
      await createNumber(t.em(), partner, { status: 'error' });
      await createNumber(t.em(), partner, { status: 'live', billingState: 'removed' });
      await createNumber(await t.em(), await createPartner(t.em()), { status: 'live' });
      const { agent } = await signedIn(partner);
      const res = await agent.get('/accounts');
      expect(res.text).toMatch(/Numbers: <strong>3<\/strong>/);
      expect(res.text).toMatch(/<strong>1<\/strong> need attention/);
      expect(res.text).toMatch(/href="\/accounts\?lifecycle&#x3D;running">.*Running <strong>2<\/strong>/);
      expect(res.text).toMatch(/Live <strong>0<\/strong>/);
      expect(res.text).toContain('href="/accounts?attention&#x3D;1"');
      expect(res.text).toMatch(/<svg class="mix" role="img" aria-label="Status mix of 3 numbers: Running 2, Error 1"/);
      expect(res.text).not.toMatch(/style=/);
    });

    it('says what to do when there are no numbers yet, and when nothing matches', async () => {
      const partner = await createPartner(t.em());
      const { agent } = await signedIn(partner);
      const none = await agent.get('/accounts');
      expect(none.text).toContain('No WhatsApp numbers yet.');
      expect(none.text).toContain('Your numbers appear here once your provider has connected them');
      expect(none.text).not.toContain('accounts:import');
      expect(none.text).not.toContain('0</strong> need attention');
      expect(none.text).not.toContain('attention-link');
      await createNumber(t.em(), partner);
      const nomatch = await agent.get('/accounts?lifecycle=inactive');
      expect(nomatch.text).toContain('No numbers have these statuses.');
      expect(nomatch.text).toContain('href="/accounts">clear the filters');
      expect(nomatch.text).not.toContain('Check the spelling');
      // The table's width stays: the search form does not move when nothing matches.
      expect(nomatch.text).toContain('<main id="main" tabindex="-1" class="wide">');
      const both = await agent.get('/accounts?lifecycle=inactive&q=nothing');
      expect(both.text).toContain('No numbers match this search with these filters.');
      expect(both.text).toContain('href="/accounts">clear the search and filters');
    });
  });

  describe('the details page', () => {
    it('shows every seed field, client, WABA and number facts, copy buttons, the history as a timeline and the Danger Zone', async () => {
      const partner = await createPartner(t.em());
      const client = await createClient(t.em(), partner, {
        name: 'Café Lumière SA',
        contactEmail: 'bonjour@cafe.example',
        consentStatus: 'pending',
        providerId: 'CLCAFE',
      });
      const waba = await createWaba(t.em(), client, {
        externalId: '4455667788',
        namespace: '9012_ijkl_56ef',
        timezoneId: 47,
        providerId: 'WACAFE',
      });
      const n = await createNumber(t.em(), partner, {
        client,
        waba,
        phoneNumber: '+5511987654321',
        displayName: 'Café Reservas',
        externalId: '109876543400',
        providerId: 'CHCAFE',
        ivr: true,
        registrationMethod: 'voice',
      });
      await createStatusChange(t.em(), n, { from: null, to: 'submitted', changedAt: new Date('2026-10-01T12:00:00Z') });
      await createStatusChange(t.em(), n, { from: 'submitted', to: 'running', changedAt: new Date('2026-10-03T12:00:00Z') });
      const { agent } = await signedIn(partner, 'member');
      const res = await agent.get(`/accounts/${n.id}`);
      expect(res.status).toBe(200);
      for (const text of [
        '+55 11 98765 4321',
        'Brazil',
        'Café Reservas',
        'Timezone</dt><dd>Europe/Berlin (UTC+01:00)',
        'WABA Account External ID</dt><dd><code>4455667788</code>',
        'Namespace</dt><dd><code>9012_ijkl_56ef</code>',
        'IVR</dt><dd>Yes',
        'Number Registration Preference</dt><dd>Voice call',
        'WABA Channel External ID</dt><dd><code>109876543400</code>',
        'Consent Status</dt><dd><a class="badge badge-amber" href="/account-statuses#consent-pending"',
        // Wrapping after the @ and before each dot.
        'bonjour@<wbr>cafe<wbr>.example',
        'data-copy="4455667788"',
        'data-copy="109876543400"',
        'data-copy="CLCAFE"',
        'Number status: Submitted → <strong>Running</strong>',
        'Account mode</dt><dd>Live</dd>',
        '<span class="muted">(from the provider&#x27;s data)</span>',
        '<th scope="row">Consent status</th>',
        'Danger Zone',
      ]) {
        expect(res.text, text).toContain(text);
      }
      const timeline = res.text.slice(res.text.indexOf('<ol class="timeline">'));
      expect(timeline.indexOf('3 Oct 2026, 12:00 UTC')).toBeLessThan(timeline.indexOf('1 Oct 2026, 12:00 UTC'));
    });

    it('lists the statuses at fault first in the status overview, marked, then the others in the usual order', async () => {
      const partner = await createPartner(t.em());
      const n = await createNumber(t.em(), partner, {
        status: 'running',
        registrationStatus: 'failed',
        client: { consentStatus: 'withdrawn' },
      });
      const { agent } = await signedIn(partner);
      const html = (await agent.get(`/accounts/${n.id}`)).text;
      const overview = html.slice(html.indexOf('<h2 id="h-statuses">'), html.indexOf('<h2 id="h-history">'));
      const rows = [...overview.matchAll(/<tr( class="row-attention")?><th scope="row">([^<]+)<\/th>/g)].map(
        (m) => `${m[2]}${m[1] ? ' !' : ''}`,
      );
      expect(rows).toEqual([
        'Number registration !',
        'Consent status !',
        'Number status',
        'WABA account',
        'Facebook business verification',
        'Message on behalf',
        'Billing',
        'Quality rating',
        'Messaging limit',
      ]);
    });

    it('says a timezone id it does not know is unknown, with the id', async () => {
      const partner = await createPartner(t.em());
      const n = await createNumber(t.em(), partner, { waba: { timezoneId: 476 } });
      const { agent } = await signedIn(partner);
      expect((await agent.get(`/accounts/${n.id}`)).text).toContain('Timezone</dt><dd>unknown (476)</dd>');
    });

    it('answers a malformed, unknown or another partner’s number with the same 404, and a removed one of its own with 410', async () => {
      const partner = await createPartner(t.em());
      const removed = await createNumber(t.em(), partner, { billingState: 'removed' });
      const foreign = await createNumber(t.em(), await createPartner(t.em()));
      const { agent } = await signedIn(partner);
      for (const id of ['nope', 'A'.repeat(22), foreign.id, `${foreign.id}x`, '..%2F..%2Fetc', encodeURIComponent("' or 1=1 --")]) {
        const res = await agent.get(`/accounts/${id}`);
        expect(res.status, id).toBe(404);
        expect(res.text).toContain('Page not found');
      }
      // The partner's own number that left the hub says so (its page: removed-number.test.ts).
      const gone = await agent.get(`/accounts/${removed.id}`);
      expect(gone.status).toBe(410);
      expect(gone.text).not.toContain('Page not found');
    });
  });

  describe('Account statuses', () => {
    it('lists every status of every family with its colour, meaning and next step, at the anchor badges link to', async () => {
      const partner = await createPartner(t.em());
      const { agent } = await signedIn(partner, 'member');
      const res = await agent.get('/account-statuses');
      expect(res.status).toBe(200);
      for (const family of FAMILY_KEYS) {
        expect(res.text).toContain(FAMILIES[family].label);
        for (const s of FAMILIES[family].statuses) {
          expect(res.text).toContain(`id="${statusAnchor(family, s.value)}"`);
          expect(res.text).toContain(`badge-${s.colour}">${s.label.replace(/&/g, '&amp;')}</span>`);
          expect(res.text).toContain(s.next.replace(/'/g, '&#x27;'));
        }
      }
    });
  });
});

describe('provider support (PROVIDER_SUPPORT_URL)', () => {
  it('links it under a number’s status overview with the number named, on Account statuses and in the footer; without it, nowhere', async () => {
    const withSupport = await createTestApp({ env: { PROVIDER_SUPPORT_URL: 'mailto:support@provider.example' } });
    const without = await createTestApp();
    try {
      for (const [t, linked] of [
        [withSupport, true],
        [without, false],
      ] as const) {
        const partner = await createPartner(t.em());
        const number = await createNumber(t.em(), partner, { phoneNumber: '+4915123456789', providerId: 'CH-0042', status: 'suspended' });
        const member = await createMember(t.em(), partner, { role: 'member' });
        const agent = t.agent();
        await signIn(agent, member.email, member.password);
        const details = (await agent.get(`/accounts/${number.id}`)).text;
        const statuses = (await agent.get('/account-statuses')).text;
        const subject = encodeURIComponent('WhatsApp number +49 1512 3456789 (Number ID CH-0042)');
        if (linked) {
          expect(details).toContain(`<a href="mailto:support@provider.example?subject&#x3D;${subject}">Contact provider support</a>`);
          expect(statuses).toContain(
            'Where a next step says to contact provider support: <a href="mailto:support@provider.example">Provider support</a>',
          );
          expect(details).toContain('· <a href="mailto:support@provider.example">Provider support</a>');
        } else {
          for (const page of [details, statuses]) expect(page).not.toMatch(/mailto:|Provider support</);
        }
      }
    } finally {
      await withSupport.close();
      await without.close();
    }
  });
});

describe('isolation: every accounts route × (own, another partner’s, unknown) × (owner, member, signed out)', () => {
  let t: TestApp;
  let own: WhatsappNumber;
  let foreign: WhatsappNumber;
  const agents: Record<string, Agent> = {};

  beforeAll(async () => {
    t = await createTestApp();
    const partner = await createPartner(t.em(), { name: 'Own Partner' });
    const other = await createPartner(t.em(), { name: 'Other Partner' });
    own = await createNumber(t.em(), partner, { phoneNumber: '+4915123400001', displayName: 'Own Line' });
    foreign = await createNumber(t.em(), other, { phoneNumber: '+4915123400002', displayName: 'Foreign Line', status: 'error' });
    for (const role of ['owner', 'member'] as const) {
      const m = await createMember(t.em(), partner, { role });
      agents[role] = t.agent();
      await signIn(agents[role], m.email, m.password);
    }
    agents.signedOut = t.agent();
  });
  afterAll(() => t.close());

  const whose = { own: () => own, foreign: () => foreign, unknown: () => ({ id: 'Z'.repeat(22), phoneNumber: '+4915199999999' }) };

  for (const who of ['owner', 'member', 'signedOut'] as const) {
    for (const target of ['own', 'foreign', 'unknown'] as const) {
      it(`${who} × ${target}: details, search, list and statuses`, async () => {
        const agent = agents[who];
        const n = whose[target]();
        const details = await agent.get(`/accounts/${n.id}`);
        const search = await agent.get('/accounts').query({ q: n.phoneNumber });
        const list = await agent.get('/accounts');
        const statuses = await agent.get('/account-statuses');
        if (who === 'signedOut') {
          // Sent to sign in, carrying the page asked for (but not the landing page).
          const next = (path: string) => `/login?next=${encodeURIComponent(path)}`;
          expect([details, search, list, statuses].map((res) => [res.status, res.headers.location])).toEqual([
            [303, next(`/accounts/${n.id}`)],
            [303, next(`/accounts?q=${encodeURIComponent(n.phoneNumber)}`)],
            [303, '/login'],
            [303, next('/account-statuses')],
          ]);
          return;
        }
        expect(details.status).toBe(target === 'own' ? 200 : 404);
        // The own number's exact phone opens its page; the others' find nothing.
        expect(search.status).toBe(target === 'own' ? 303 : 200);
        expect(foundIds(search)).toEqual(target === 'own' ? [own.id] : []);
        expect(list.status).toBe(200);
        expect(rowIds(list.text)).toEqual([own.id]);
        expect(list.text).not.toContain('Foreign Line');
        expect(list.text).toMatch(/<strong>0<\/strong> need attention/);
        expect(statuses.status).toBe(200);
      });
    }
  }
});
