import { describe, expect, it } from 'vitest';
import { detailsView, historyView } from '../../src/accounts/accounts.presenter';
import { cardGroups, cardView, filterForm, tableRows } from '../../src/accounts/number-list.presenter';
import { statusView } from '../../src/accounts/status-view';
import { summaryView } from '../../src/accounts/summary.presenter';
import type { MatchCount, StatusChangeRow } from '../../src/accounts/accounts.service';
import type { NumberNote } from '../../src/accounts/number-extensions.service';
import type { NumberFilter, Sort } from '../../src/accounts/number-filter';
import type { CardRow, NumberRow } from '../../src/accounts/number-row';
import { FAMILIES, FAMILY_KEYS, type FamilyKey } from '../../src/statuses/catalogue';

const NOW = new Date('2026-12-01T12:00:00.000Z');
const DAY = 86_400_000;

type RowOverrides = Partial<Omit<NumberRow, 'client' | 'waba'>> & {
  client?: Partial<NumberRow['client']>;
  waba?: Partial<NumberRow['waba']>;
};

/** A healthy, running number that needs nothing; tests override what they are about. */
function numberRow(over: RowOverrides = {}): NumberRow {
  const { client, waba, ...rest } = over;
  return {
    id: 'num_aaaaaaaaaaaaaaaaaaa',
    providerId: 'CH1001',
    externalId: '1100220033',
    phoneNumber: '+4915123456789',
    displayName: 'Acme Support',
    status: 'running',
    statusChangedAt: new Date(NOW.getTime() - 30 * DAY),
    accountMode: 'live',
    registrationStatus: 'registered',
    registrationMethod: 'sms',
    ivr: false,
    qualityRating: 'green',
    messagingTier: 'tier_1k',
    billingState: 'partner_paid',
    providerCreatedAt: new Date('2026-01-15T09:00:00.000Z'),
    clientName: 'Acme GmbH',
    client: {
      id: 'cli_aaaaaaaaaaaaaaaaaaa',
      providerId: 'CL1',
      name: 'Acme GmbH',
      contactEmail: 'ops@acme.example',
      consentStatus: 'granted',
      ...client,
    },
    waba: {
      id: 'wab_aaaaaaaaaaaaaaaaaaa',
      providerId: 'WA1',
      externalId: '2000000001',
      namespace: 'acme_ns',
      timezoneId: 47,
      status: 'approved',
      businessVerificationStatus: 'verified',
      messageOnBehalfStatus: 'approved',
      ...waba,
    },
    ...rest,
  };
}

const card = (over: RowOverrides = {}): CardRow => numberRow(over);
const families = (views: readonly { family: FamilyKey }[]) => views.map((v) => v.family);
const NEWEST: Sort = { field: 'created', dir: 'desc' };
const BY_CLIENT: Sort = { field: 'client', dir: 'asc' };
const filter = (over: Partial<NumberFilter> = {}): NumberFilter => ({ status: {}, attention: false, sort: NEWEST, ...over });
const NO_NOTES = new Map<string, readonly NumberNote[]>();
/** The cards of a page on WhatsApp Accounts (not a client's page). */
const groupsOf = (rows: CardRow[], sort: Sort = NEWEST, notes = NO_NOTES) => cardGroups(rows, sort, NOW, notes, undefined, false);
/** The counts of a list, exact (below the cap). */
const counted = (byStatus: Record<string, number>, total: number, attention: number): MatchCount => ({
  byStatus,
  total,
  attention,
  capped: false,
});

describe('a status badge', () => {
  it('shows the label, colour, meaning and next step the catalogue gives the status', () => {
    const view = statusView('lifecycle', 'error');
    expect(view).toMatchObject({
      family: 'lifecycle',
      familyName: 'Number status',
      value: 'error',
      label: 'Error',
      colour: 'red',
      meaning: 'The setup or operation failed.',
      next: 'Open the details, check the other statuses and contact provider support.',
    });
  });

  it('links to the status on the Account statuses page, with the family and meaning as its tooltip', () => {
    const view = statusView('waba', 'account_banned');
    expect(view.anchor).toBe('waba-account_banned');
    expect(view.title).toBe('WABA account: Meta banned the account; its numbers cannot send messages.');
  });

  it('tells apart the same code in two families', () => {
    expect(statusView('lifecycle', 'created').meaning).not.toBe(statusView('waba', 'created').meaning);
    expect(statusView('lifecycle', 'created').anchor).not.toBe(statusView('waba', 'created').anchor);
  });

  it('shows an unknown value as itself, in grey, with no meaning or next step', () => {
    expect(statusView('quality', 'purple')).toMatchObject({ label: 'purple', colour: 'grey', meaning: '', next: '' });
  });
});

describe('a card', () => {
  it('shows the number formatted with its country, the display name and the client', () => {
    const view = cardView(card(), NOW);
    expect(view.id).toBe('num_aaaaaaaaaaaaaaaaaaa');
    expect(view.phone).toMatchObject({ e164: '+4915123456789', formatted: '+49 1512 3456789', country: 'Germany' });
    expect(view.displayName).toBe('Acme Support');
    expect(view.clientName).toBe('Acme GmbH');
  });

  it('keeps a missing display name empty rather than inventing one', () => {
    expect(cardView(card({ displayName: null }), NOW).displayName).toBeNull();
  });

  it('shows seven badges in a fixed order, the families of the table, and leaves quality and tier to the overview', () => {
    const view = cardView(card(), NOW);
    expect(families(view.badges)).toEqual(['lifecycle', 'waba', 'verification', 'onBehalf', 'registration', 'consent', 'billing']);
    expect(families(view.overview)).toEqual([
      'lifecycle',
      'waba',
      'verification',
      'onBehalf',
      'registration',
      'consent',
      'billing',
      'quality',
      'tier',
    ]);
  });

  it("gives each badge the number's own value in that family", () => {
    const row = card({
      status: 'suspended',
      registrationStatus: 'failed',
      billingState: 'revocation_requested',
      qualityRating: 'yellow',
      messagingTier: 'unlimited',
      client: { consentStatus: 'withdrawn' },
      waba: { status: 'unverified', businessVerificationStatus: 'pending', messageOnBehalfStatus: 'denied' },
    });
    const labels = Object.fromEntries(cardView(row, NOW).overview.map((v) => [v.family, v.label]));
    expect(labels).toEqual({
      lifecycle: 'Suspended',
      waba: 'Unverified',
      verification: 'Pending',
      onBehalf: 'Denied',
      registration: 'Failed',
      consent: 'Withdrawn',
      billing: 'Revocation requested',
      quality: 'Medium',
      tier: 'Unlimited',
    });
  });

  it('shares one badge set between cards with the same statuses, so the template renders it once', () => {
    const a = cardView(card({ id: 'num_bbbbbbbbbbbbbbbbbbb', phoneNumber: '+14155550123' }), NOW);
    const b = cardView(card({ id: 'num_ccccccccccccccccccc', clientName: 'Other Ltd' }), NOW);
    expect(a.badges).toBe(b.badges);
    expect(a.overview).toBe(b.overview);
  });

  it('gets its own badge set when a single status differs', () => {
    const a = cardView(card(), NOW);
    const b = cardView(card({ waba: { messageOnBehalfStatus: 'submitted' } }), NOW);
    expect(b.badges).not.toBe(a.badges);
    expect(b.badges[3].label).toBe('Submitted');
  });

  it('cannot have its shared badge set changed by a template', () => {
    const view = cardView(card(), NOW);
    expect(Object.isFrozen(view.badges)).toBe(true);
  });
});

describe('needs attention', () => {
  it('is false for a healthy running number', () => {
    expect(cardView(card(), NOW).attention).toBe(false);
  });

  it.each<[string, RowOverrides]>([
    ['the number is in error', { status: 'error' }],
    ['the number is suspended', { status: 'suspended' }],
    ['the registration failed', { registrationStatus: 'failed' }],
    ['the WABA account is banned', { waba: { status: 'account_banned' } }],
    ['the WABA account was removed from the provider', { waba: { status: 'bsp_removed' } }],
    ['Meta rejected the business verification', { waba: { businessVerificationStatus: 'rejected' } }],
    ['Meta denied messaging on behalf', { waba: { messageOnBehalfStatus: 'denied' } }],
    ['the client withdrew its consent', { client: { consentStatus: 'withdrawn' } }],
    ['the quality rating is red', { qualityRating: 'red' }],
  ])('is true when %s', (_, over) => {
    expect(cardView(card(over), NOW).attention).toBe(true);
  });

  it('agrees with the catalogue on every status of every family', () => {
    const rowWith: Record<FamilyKey, (value: string) => RowOverrides> = {
      lifecycle: (v) => ({ status: v as NumberRow['status'] }),
      registration: (v) => ({ registrationStatus: v as NumberRow['registrationStatus'] }),
      waba: (v) => ({ waba: { status: v as NumberRow['waba']['status'] } }),
      verification: (v) => ({ waba: { businessVerificationStatus: v as NumberRow['waba']['businessVerificationStatus'] } }),
      onBehalf: (v) => ({ waba: { messageOnBehalfStatus: v as NumberRow['waba']['messageOnBehalfStatus'] } }),
      consent: (v) => ({ client: { consentStatus: v as NumberRow['client']['consentStatus'] } }),
      billing: (v) => ({ billingState: v as NumberRow['billingState'] }),
      quality: (v) => ({ qualityRating: v as NumberRow['qualityRating'] }),
      tier: (v) => ({ messagingTier: v as NumberRow['messagingTier'] }),
    };
    // Changed just now, so that no pending status has waited long enough to count.
    for (const family of FAMILY_KEYS) {
      const row = rowWith[family];
      for (const st of FAMILIES[family].statuses as readonly { value: string; attention?: boolean }[]) {
        expect([family, st.value, cardView(card({ statusChangedAt: NOW, ...row(st.value) }), NOW).attention]).toEqual([
          family,
          st.value,
          !!st.attention,
        ]);
      }
    }
  });

  it('is true for a number waiting in a pending status for more than seven days', () => {
    const row = card({ status: 'submitted', statusChangedAt: new Date(NOW.getTime() - 7 * DAY - 1000) });
    expect(cardView(row, NOW).attention).toBe(true);
  });

  it('is false for a number waiting in a pending status for exactly seven days', () => {
    const row = card({ status: 'submitted', statusChangedAt: new Date(NOW.getTime() - 7 * DAY) });
    expect(cardView(row, NOW).attention).toBe(false);
  });

  it('is false for a number that has run for months without a change', () => {
    const row = card({ status: 'running', statusChangedAt: new Date(NOW.getTime() - 200 * DAY) });
    expect(cardView(row, NOW).attention).toBe(false);
  });

  it('counts only the waiting time of the number status, not of the WABA account', () => {
    const row = card({ waba: { status: 'consents_pending' }, statusChangedAt: new Date(NOW.getTime() - 60 * DAY) });
    expect(cardView(row, NOW).attention).toBe(false);
  });
});

describe('the notes other modules add to a card', () => {
  const note = { className: 'revocation-note', text: 'Revocation requested · terminates 31 December 2026 (UTC) · 30 days left' };

  it("puts each number's notes on its own card and table row, in page order", () => {
    const rows = [card({ id: 'n1' }), card({ id: 'n2' })];
    const notes = new Map([['n2', [note]]]);
    expect(groupsOf(rows, NEWEST, notes)[0].cards.map((c) => c.notes)).toEqual([[], [note]]);
    expect(tableRows(rows, NOW, notes, undefined, false).map((r) => r.notes)).toEqual([[], [note]]);
  });

  it('shows them atop the details page too', () => {
    expect(detailsView(numberRow(), NOW, [note]).notes).toEqual([note]);
  });

  it('gives a card without notes an empty list', () => {
    expect(cardView(card(), NOW).notes).toEqual([]);
    expect(detailsView(numberRow(), NOW).notes).toEqual([]);
  });
});

describe('cards grouped by client', () => {
  const of = (clientId: string, clientName: string, id: string) => card({ id, clientName, client: { id: clientId } });
  const headings = (groups: ReturnType<typeof groupsOf>) => groups.map((g) => [g.client?.name, g.cards.map((c) => c.id)]);

  it('puts consecutive numbers of one client under one heading, in page order, when sorted by client', () => {
    const groups = groupsOf([of('c1', 'Acme', 'n1'), of('c1', 'Acme', 'n2'), of('c2', 'Beta', 'n3')], BY_CLIENT);
    expect(headings(groups)).toEqual([
      ['Acme', ['n1', 'n2']],
      ['Beta', ['n3']],
    ]);
    expect(groups[0].client?.href).toBe('/clients/c1');
    // Under its client's heading a card does not name the client again.
    expect(groups.flatMap((g) => g.cards).some((c) => c.showClient)).toBe(false);
  });

  it('starts a new heading when a client comes back later in the page order', () => {
    const groups = groupsOf([of('c1', 'Acme', 'n1'), of('c2', 'Beta', 'n2'), of('c1', 'Acme', 'n3')], BY_CLIENT);
    expect(groups.map((g) => g.client?.name)).toEqual(['Acme', 'Beta', 'Acme']);
  });

  it('keeps two clients with the same name apart', () => {
    const groups = groupsOf([of('c1', 'Acme', 'n1'), of('c2', 'Acme', 'n2')], BY_CLIENT);
    expect(groups).toHaveLength(2);
  });

  it('has no headings in any other sort, and each card names its client instead', () => {
    const groups = groupsOf([of('c1', 'Acme', 'n1'), of('c1', 'Acme', 'n2'), of('c2', 'Beta', 'n3')], NEWEST);
    expect(headings(groups)).toEqual([[undefined, ['n1', 'n2', 'n3']]]);
    expect(groups[0].cards.map((c) => [c.showClient, c.clientName, c.clientHref])).toEqual([
      [true, 'Acme', '/clients/c1'],
      [true, 'Acme', '/clients/c1'],
      [true, 'Beta', '/clients/c2'],
    ]);
  });

  it('has no headings for an empty page', () => {
    expect(groupsOf([], BY_CLIENT)).toEqual([]);
    expect(groupsOf([], NEWEST)).toEqual([]);
  });
});

describe('the filter form', () => {
  const checked = (form: ReturnType<typeof filterForm>) =>
    form.families.flatMap((f) => f.options.filter((o) => o.checked).map((o) => `${f.family}=${o.value}`));

  it('starts empty, unfiltered, sorted by newest, 50 a page', () => {
    const form = filterForm(filter(), 50, true);
    expect(form.q).toBe('');
    expect(form.attention).toBe(false);
    expect(form.inForce).toBe(0);
    expect(form.sorts.filter((s) => s.selected).map((s) => s.label)).toEqual(['Created, newest first']);
    expect(form.sizes.filter((s) => s.selected).map((s) => s.value)).toEqual([50]);
    expect(checked(form)).toEqual([]);
  });

  it('has one group of choices per filterable family, labelled from the catalogue', () => {
    const form = filterForm(filter(), 50, true);
    expect(form.families.map((f) => [f.family, f.label])).toEqual([
      ['lifecycle', 'Number status'],
      ['waba', 'WABA account'],
      ['verification', 'Facebook business verification'],
      ['onBehalf', 'Message on behalf'],
      ['registration', 'Number registration'],
      ['consent', 'Consent status'],
      ['billing', 'Billing'],
    ]);
  });

  it('offers every status of a family but not "Removed" billing: removed numbers have left the hub', () => {
    const form = filterForm(filter(), 50, true);
    const options = (family: string) => form.families.find((f) => f.family === family)!.options.map((o) => o.value);
    expect(options('lifecycle')).toEqual(FAMILIES.lifecycle.statuses.map((s) => s.value));
    expect(options('billing')).toEqual(['partner_paid', 'revocation_requested', 'partner_billing_ended']);
  });

  it('keeps the chosen statuses, search and sort selected', () => {
    const form = filterForm(
      filter({ q: 'acme', status: { lifecycle: ['error', 'suspended'], consent: ['pending'] }, sort: BY_CLIENT }),
      50,
      true,
    );
    expect(checked(form)).toEqual(['lifecycle=error', 'lifecycle=suspended', 'consent=pending']);
    expect(form.q).toBe('acme');
    expect(form.sorts.filter((s) => s.selected).map((s) => s.value)).toEqual(['client:asc']);
    expect(form.inForce).toBe(3);
  });

  it('offers every sort of the headers both ways, saying which end comes first', () => {
    const sorts = filterForm(filter(), 50, true).sorts;
    expect(sorts.map((s) => [s.value, s.label])).toEqual([
      ['created:desc', 'Created, newest first'],
      ['created:asc', 'Created, oldest first'],
      ['phone:asc', 'Phone number, 0–9'],
      ['phone:desc', 'Phone number, 9–0'],
      ['display:asc', 'Display name, A–Z'],
      ['display:desc', 'Display name, Z–A'],
      ['client:asc', 'Client, A–Z'],
      ['client:desc', 'Client, Z–A'],
      ['lifecycle:asc', 'Number status, Created first'],
      ['lifecycle:desc', 'Number status, Inactive first'],
      ['waba:asc', 'WABA, Created first'],
      ['waba:desc', 'WABA, Removed from provider first'],
      ['verification:asc', 'Verification, Verified first'],
      ['verification:desc', 'Verification, Failed first'],
      ['onBehalf:asc', 'On behalf, Not requested first'],
      ['onBehalf:desc', 'On behalf, Denied first'],
      ['registration:asc', 'Registration, Not registered first'],
      ['registration:desc', 'Registration, Failed first'],
      ['consent:asc', 'Consent, Pending first'],
      ['consent:desc', 'Consent, Withdrawn first'],
      // "Removed" numbers are not listed: billing ends with the last state a listed number has.
      ['billing:asc', 'Billing, Partner pays first'],
      ['billing:desc', 'Billing, Partner billing ended first'],
    ]);
    expect(sorts.filter((s) => s.selected).map((s) => s.value)).toEqual(['created:desc']);
  });

  it("leaves the client sort out on a client's page, unless it is the sort in force", () => {
    const values = (f: NumberFilter) => filterForm(f, 50, false).sorts.map((s) => s.value);
    expect(values(filter())).not.toContain('client:asc');
    expect(values(filter())).toHaveLength(20);
    const byClient = filterForm(filter({ sort: { field: 'client', dir: 'desc' } }), 50, false).sorts;
    expect(byClient.slice(-2).map((s) => [s.value, s.label, s.selected])).toEqual([
      ['client:asc', 'Client, A–Z', false],
      ['client:desc', 'Client, Z–A', true],
    ]);
  });

  it('counts a search as a filter but not as a status filter', () => {
    const form = filterForm(filter({ q: 'acme' }), 50, true);
    expect(form.q).toBe('acme');
    expect(form.inForce).toBe(0);
  });

  it('counts "needs attention" as a filter in force beside the statuses', () => {
    expect(filterForm(filter({ attention: true, status: { billing: ['partner_paid'] } }), 50, true).inForce).toBe(2);
  });

  it('does not count a sort alone as a status filter', () => {
    expect(filterForm(filter({ sort: { field: 'phone', dir: 'asc' } }), 50, true).inForce).toBe(0);
  });
});

describe('the accounts summary', () => {
  const summaryOf = (count: MatchCount, f = filter()) => summaryView(count, f, '/accounts', undefined);

  it('says there are no numbers yet, with every status at zero and no bar', () => {
    const view = summaryOf(counted({}, 0, 0));
    expect(view.chartLabel).toBe('No numbers');
    expect(view.segments).toEqual([]);
    expect(view.statuses).toHaveLength(FAMILIES.lifecycle.statuses.length);
    expect(view.statuses.every((s) => s.n === 0 && s.count === '0')).toBe(true);
  });

  it('links each status count to the list filtered on that status', () => {
    const view = summaryOf(counted({ running: 3 }, 3, 0));
    const running = view.statuses.find((s) => s.value === 'running')!;
    expect(running).toMatchObject({ label: 'Running', count: '3', href: '/accounts?lifecycle=running' });
    expect(view.attentionHref).toBe('/accounts?attention=1');
  });

  it('draws one bar segment per status present, side by side and filling the bar', () => {
    const view = summaryOf(counted({ running: 2, error: 1, live: 1 }, 4, 1));
    // In catalogue order: running, live, error.
    expect(view.segments.map((s) => [s.x, s.width, s.title])).toEqual([
      ['0.000', '50.000', 'Running: 2'],
      ['50.000', '25.000', 'Live: 1'],
      ['75.000', '25.000', 'Error: 1'],
    ]);
    expect(view.segments[2]).toMatchObject({ hex: '#b42318', patternId: 'mix-error' });
  });

  it('describes the status mix in words for screen readers', () => {
    const view = summaryOf(counted({ running: 2, error: 1 }, 3, 1));
    expect(view.chartLabel).toBe('Status mix of 3 numbers: Running 2, Error 1');
  });
});

describe('the status history', () => {
  const change = (over: Partial<StatusChangeRow>): StatusChangeRow => ({
    family: 'lifecycle',
    fromValue: 'submitted',
    toValue: 'running',
    source: 'import',
    changedAt: NOW,
    ...over,
  });

  it('shows each change from one status badge to another, with its family and source', () => {
    const [entry] = historyView([change({})]);
    expect(entry.familyName).toBe('Number status');
    expect(entry.from?.label).toBe('Submitted');
    expect(entry.to.label).toBe('Running');
    expect(entry.source).toBe("from the provider's data");
    expect(entry.changedAt).toBe(NOW);
  });

  it('says what made each change in words', () => {
    const sources = historyView(
      ['import', 'revocation', 'job', 'demo'].map((source) => change({ source: source as StatusChangeRow['source'] })),
    );
    expect(sources.map((e) => e.source)).toEqual([
      "from the provider's data",
      'by a payment revocation request',
      'when the revocation took effect',
      'demo data',
    ]);
  });

  it('tells a withdrawn revocation from its request', () => {
    const [requested, withdrawn] = historyView([
      change({ family: 'billing', fromValue: 'partner_paid', toValue: 'revocation_requested', source: 'revocation' }),
      change({ family: 'billing', fromValue: 'revocation_requested', toValue: 'partner_paid', source: 'revocation' }),
    ]);
    expect(requested.source).toBe('by a payment revocation request');
    expect(withdrawn.source).toBe('when the payment revocation was withdrawn');
  });

  it('shows the first status of a family without a "from" badge', () => {
    const [entry] = historyView([change({ family: 'billing', fromValue: null, toValue: 'partner_paid' })]);
    expect(entry.from).toBeUndefined();
    expect(entry.to.label).toBe('Partner pays');
  });
});

describe('the details page', () => {
  it('shows the card and the number, WABA and client details', () => {
    const view = detailsView(numberRow(), NOW);
    expect(view.id).toBe('num_aaaaaaaaaaaaaaaaaaa');
    expect(families(view.badges)).toHaveLength(7);
    expect(view.number).toMatchObject({
      providerId: 'CH1001',
      externalId: '1100220033',
      registrationMethod: 'sms',
      ivr: false,
      accountMode: 'Live',
    });
    expect(view.waba).toMatchObject({ providerId: 'WA1', externalId: '2000000001', namespace: 'acme_ns' });
    expect(view.client).toMatchObject({ providerId: 'CL1', name: 'Acme GmbH', contactEmail: 'ops@acme.example' });
    expect(view.client.consent.label).toBe('Granted');
  });

  it("names the WABA account's timezone when Meta's id is known", () => {
    expect(detailsView(numberRow(), NOW).waba).toMatchObject({ timezoneId: 47, timezoneName: 'Europe/Berlin (UTC+01:00)' });
  });

  it('says an id it does not know is unknown, and nothing when it is not set', () => {
    expect(detailsView(numberRow({ waba: { timezoneId: 476 } }), NOW).waba).toMatchObject({
      timezoneId: 476,
      timezoneName: 'unknown (476)',
    });
    expect(detailsView(numberRow({ waba: { timezoneId: null } }), NOW).waba).toMatchObject({ timezoneId: null, timezoneName: undefined });
  });

  it('says a number pending too long needs a step, where its status alone would say "Nothing to do"', () => {
    const lifecycle = (over: RowOverrides) => detailsView(numberRow(over), NOW).overview.find((s) => s.family === 'lifecycle')!;
    const fresh = lifecycle({ status: 'submitted', statusChangedAt: new Date(NOW.getTime() - 2 * DAY) });
    expect(fresh).toMatchObject({ attention: false, next: 'Nothing to do: processing usually takes minutes to a few hours.' });

    const stuck = detailsView(numberRow({ status: 'submitted', statusChangedAt: new Date(NOW.getTime() - 12 * DAY) }), NOW);
    expect(stuck.attentionText).toContain('pending over 7 days');
    // The row the attention note points at comes first, marked, and says what to do.
    expect(stuck.overview[0]).toMatchObject({
      family: 'lifecycle',
      attention: true,
      next: "In this status for 12 days, longer than it should take: ask the provider's support why.",
    });
    // A step the partner can take stays the step.
    expect(lifecycle({ status: 'created', statusChangedAt: new Date(NOW.getTime() - 9 * DAY) }).next).toBe(
      'In this status for 9 days, longer than it should take: ask the client to finish the embedded signup.',
    );
    // Running for months is not pending.
    expect(lifecycle({ status: 'running', statusChangedAt: new Date(NOW.getTime() - 90 * DAY) })).toMatchObject({
      attention: false,
      next: 'Nothing to do.',
    });
  });

  it('keeps empty contact details empty', () => {
    const view = detailsView(numberRow({ client: { contactEmail: null }, waba: { namespace: null }, accountMode: null }), NOW);
    expect(view.client.contactEmail).toBeNull();
    expect(view.waba.namespace).toBeNull();
    expect(view.number.accountMode).toBeNull();
  });
});
