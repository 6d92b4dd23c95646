import { FAMILIES, statusAnchor, statusDef, type Colour, type FamilyKey, type LifecycleStatus } from '../statuses';
import { safeLocalPath } from '../common/local-path';
import { formatCount } from '../common/view-helpers';
import type { CardRow, NumberRow } from './number-row';
import {
  defaultDir,
  FILTER_FAMILIES,
  filterQueryString,
  isFiltered,
  PAGE_SIZES,
  STUCK_AFTER_DAYS,
  type FilterFamily,
  type NumberFilter,
  type Sort,
  type SortDir,
  type SortField,
} from './number-filter';
import { phoneView, type PhoneView } from './phone';
import { metaTimezoneLabel } from './timezones';
import type { ClientRow, ClientWabaRow, MatchCount, StatusChangeRow } from './accounts.service';
import type { NumberNote } from './number-extensions.service';

/**
 * Turns numbers into what the templates show, so that templates only print: every status
 * comes with its label, colour, meaning and next step from the one catalogue.
 */
export interface StatusView {
  family: FamilyKey;
  familyName: string;
  /** The family's short name, written on the badge: "WABA", "Verification". */
  familyShort: string;
  value: string;
  label: string;
  colour: Colour;
  meaning: string;
  next: string;
  /** Where the badge links on the Account statuses page, and its tooltip. */
  anchor: string;
  title: string;
}

export interface CardView {
  id: string;
  href: string;
  phone: PhoneView;
  displayName?: string | null;
  clientName: string;
  clientHref: string;
  /** Shared by every card with the same statuses, so that the `memo` helper renders each set once. */
  badges: readonly StatusView[];
  overview: readonly StatusView[];
  attention: boolean;
  /** Why it needs attention: the families at fault ("WABA account, Number registration"). */
  attentionText: string;
  /** The same with the families' short names, for the table ("WABA, Registration"). */
  attentionShort: string;
  /** Whether the card names its client (not under the client's heading, nor on the client's page). */
  showClient: boolean;
  /** Lines other modules add through NumberExtensions. */
  notes: readonly NumberNote[];
}

/** The families on a card and in the table, in the order they are shown. */
const CARD_FAMILIES: FamilyKey[] = ['lifecycle', 'waba', 'verification', 'onBehalf', 'registration', 'billing'];
/** The table's status columns: billing comes last, in a cell of its own with the revocation's countdown. */
const TABLE_FAMILIES: FilterFamily[] = ['lifecycle', 'waba', 'verification', 'onBehalf', 'registration', 'consent'];
const OVERVIEW_FAMILIES: FamilyKey[] = [
  'lifecycle',
  'waba',
  'verification',
  'onBehalf',
  'registration',
  'consent',
  'billing',
  'quality',
  'tier',
];
/** The families whose problem statuses make a number need attention (the same rule as attentionWhere). */
const ATTENTION_FAMILIES: FamilyKey[] = ['lifecycle', 'waba', 'verification', 'onBehalf', 'registration'];

/** How a segment of the status mix is hatched, in white over its colour (solid: no hatching). */
export type MixPattern = 'solid' | 'dots' | 'rising' | 'falling' | 'vertical' | 'horizontal' | 'crosshatch' | 'grid';

/**
 * The hatching drawn on a 6 × 6 px tile: a white path, or a white dot. Each tile keeps most of
 * its area in the status's colour, so the segment keeps its contrast.
 */
const MIX_PATTERN_SHAPES: Record<MixPattern, { path?: string; dot?: boolean }> = {
  solid: {},
  dots: { dot: true },
  rising: { path: 'M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2' },
  falling: { path: 'M-1,5 l2,2 M0,0 l6,6 M5,-1 l2,2' },
  vertical: { path: 'M3,0 v6' },
  horizontal: { path: 'M0,3 h6' },
  crosshatch: { path: 'M0,0 l6,6 M6,0 l-6,6' },
  grid: { path: 'M0,3 h6 M3,0 v6' },
};

/**
 * The status mix's own palette: every number status has a colour no other has (the badges'
 * five colours would paint Running and Live, or Error and Suspended, alike) and a hatching no
 * other has, so the bar reads without colour too. Every colour has at least 3:1 contrast on
 * white (WCAG 1.4.11); segments are parted by a white gap, so neighbours need no contrast
 * between them.
 */
export const MIX_STYLES: Record<LifecycleStatus, { hex: string; pattern: MixPattern }> = {
  created: { hex: '#6e7781', pattern: 'dots' },
  submitted: { hex: '#0a58ca', pattern: 'rising' },
  ready: { hex: '#6f42c1', pattern: 'falling' },
  running: { hex: '#1a7f37', pattern: 'solid' },
  live: { hex: '#0b6e69', pattern: 'vertical' },
  error: { hex: '#b42318', pattern: 'crosshatch' },
  suspended: { hex: '#b35900', pattern: 'horizontal' },
  inactive: { hex: '#2f363d', pattern: 'grid' },
};

/** The narrowest a present status's segment gets (in % of the bar), so that one number among thousands still shows. */
const MIN_SEGMENT = 2;

export function familyValue(n: CardRow, family: FamilyKey): string {
  switch (family) {
    case 'lifecycle':
      return n.status;
    case 'waba':
      return n.waba.status;
    case 'verification':
      return n.waba.businessVerificationStatus;
    case 'onBehalf':
      return n.waba.messageOnBehalfStatus;
    case 'registration':
      return n.registrationStatus;
    case 'consent':
      return n.client.consentStatus;
    case 'billing':
      return n.billingState;
    case 'quality':
      return n.qualityRating;
    case 'tier':
      return n.messagingTier;
  }
}

// The catalogue is constant: each status's view is built once and shared by every card.
const statusViews = new Map<string, StatusView>();

export function statusView(family: FamilyKey, value: string): StatusView {
  const key = `${family}:${value}`;
  let view = statusViews.get(key);
  if (!view) {
    const def = statusDef(family, value);
    const familyName = FAMILIES[family].label;
    const meaning = def?.meaning ?? '';
    view = {
      family,
      familyName,
      familyShort: FAMILIES[family].short,
      value,
      label: def?.label ?? value,
      colour: def?.colour ?? 'grey',
      meaning,
      next: def?.next ?? '',
      anchor: statusAnchor(family, value),
      title: `${familyName}: ${meaning}`,
    };
    // Unknown values (none pass the import) are not cached, so the map stays bounded.
    if (def) statusViews.set(key, view);
  }
  return view;
}

/**
 * The views of one number's statuses in the given families: the same array for every number
 * with the same values, which lets the card template render each set once (`memo` helper).
 * Bounded: past MAX_STATUS_SETS distinct sets the map starts again.
 */
const statusSets = new Map<string, readonly StatusView[]>();
const MAX_STATUS_SETS = 5_000;

function statusSet(families: readonly FamilyKey[], n: CardRow): readonly StatusView[] {
  const values = families.map((family) => familyValue(n, family));
  const key = `${families.join(',')}=${values.join('|')}`;
  let set = statusSets.get(key);
  if (!set) {
    set = Object.freeze(families.map((family, i) => statusView(family, values[i])));
    if (statusSets.size >= MAX_STATUS_SETS) statusSets.clear();
    statusSets.set(key, set);
  }
  return set;
}

/**
 * Why a number shows up under "needs attention" (the same rule as attentionWhere): the
 * families at fault, by their full or short name; empty when it does not.
 */
export function attentionReasons(n: CardRow, now: Date, name: 'label' | 'short' = 'label'): string[] {
  const reasons: string[] = ATTENTION_FAMILIES.filter((f) => statusDef(f, familyValue(n, f))?.attention).map((f) => FAMILIES[f][name]);
  const stuck = now.getTime() - n.statusChangedAt.getTime() > STUCK_AFTER_DAYS * 86_400_000;
  if (stuck && statusDef('lifecycle', n.status)?.pending) reasons.push(`${FAMILIES.lifecycle[name]} pending over ${STUCK_AFTER_DAYS} days`);
  return reasons;
}

export function needsAttention(n: CardRow, now: Date): boolean {
  return attentionReasons(n, now).length > 0;
}

const NO_NOTES: readonly NumberNote[] = Object.freeze([]);

/** Where a number's link goes: its page, with the way back to the list it was opened from. */
export function numberHref(id: string, back?: string): string {
  return back ? `/accounts/${id}?back=${encodeURIComponent(back)}` : `/accounts/${id}`;
}

export const clientHref = (clientId: string) => `/clients/${clientId}`;

export function cardView(n: CardRow, now: Date, notes: readonly NumberNote[] = NO_NOTES, back?: string, showClient = true): CardView {
  const reasons = attentionReasons(n, now);
  return {
    id: n.id,
    href: numberHref(n.id, back),
    phone: phoneView(n.phoneNumber),
    displayName: n.displayName,
    clientName: n.clientName,
    clientHref: clientHref(n.client.id),
    badges: statusSet(CARD_FAMILIES, n),
    overview: statusSet(OVERVIEW_FAMILIES, n),
    attention: reasons.length > 0,
    attentionText: reasons.join(', '),
    attentionShort: reasons.length ? attentionReasons(n, now, 'short').join(', ') : '',
    showClient,
    notes,
  };
}

export interface CardGroup {
  /** The client's heading, in the client sort only. */
  client?: { name: string; href: string };
  cards: CardView[];
}

/**
 * The cards of a page. Sorted by client, one heading per client over all its numbers on the
 * page; in any other order the neighbours rarely share a client, so there are no headings and
 * each card names its client.
 */
export function cardGroups(
  numbers: CardRow[],
  sort: Sort,
  now: Date,
  notes: ReadonlyMap<string, readonly NumberNote[]>,
  back: string | undefined,
  oneClient: boolean,
): CardGroup[] {
  const headings = sort.field === 'client' && !oneClient;
  const cards = numbers.map((n) => cardView(n, now, notes.get(n.id), back, !headings && !oneClient));
  if (!headings) return cards.length ? [{ cards }] : [];
  const groups: (CardGroup & { clientId: string })[] = [];
  numbers.forEach((n, i) => {
    const last = groups[groups.length - 1];
    if (last && last.clientId === n.client.id) last.cards.push(cards[i]);
    else groups.push({ clientId: n.client.id, client: { name: n.clientName, href: clientHref(n.client.id) }, cards: [cards[i]] });
  });
  return groups.map(({ client, cards }) => ({ client, cards }));
}

/** One row of the table: a card's facts, one status per column. */
export interface TableRowView extends CardView {
  /** Shared by every row with the same statuses (`memo`). */
  cells: readonly StatusView[];
  billing: StatusView;
  createdAt: Date;
}

export function tableRows(
  numbers: CardRow[],
  now: Date,
  notes: ReadonlyMap<string, readonly NumberNote[]>,
  back: string | undefined,
  oneClient: boolean,
): TableRowView[] {
  return numbers.map((n) => ({
    ...cardView(n, now, notes.get(n.id), back, !oneClient),
    cells: statusSet(TABLE_FAMILIES, n),
    billing: statusView('billing', n.billingState),
    createdAt: n.providerCreatedAt,
  }));
}

const FIELD_LABELS: Record<SortField, string> = {
  created: 'Created',
  phone: 'Phone number',
  client: 'Client',
  display: 'Display name',
  lifecycle: FAMILIES.lifecycle.label,
  waba: FAMILIES.waba.label,
  verification: FAMILIES.verification.label,
  onBehalf: FAMILIES.onBehalf.label,
  registration: FAMILIES.registration.label,
  consent: FAMILIES.consent.label,
  billing: FAMILIES.billing.label,
};

/**
 * A column header that sorts: its link keeps the search, filters and page size, starts again
 * from the first page, and turns the direction round when the column already sorts.
 */
function sortHeader(field: SortField, filter: NumberFilter, basePath: string, size: string | undefined) {
  const current = filter.sort.field === field;
  const dir: SortDir = current ? (filter.sort.dir === 'asc' ? 'desc' : 'asc') : defaultDir(field);
  return {
    field,
    label: FIELD_LABELS[field],
    short: (FILTER_FAMILIES as readonly string[]).includes(field) ? FAMILIES[field as FilterFamily].short : FIELD_LABELS[field],
    href: `${basePath}${filterQueryString({ ...filter, sort: { field, dir } }, { size })}`,
    ariaSort: current ? (filter.sort.dir === 'asc' ? 'ascending' : 'descending') : undefined,
    arrow: current ? (filter.sort.dir === 'asc' ? '▲' : '▼') : '',
  };
}

/** The table's column headers, in order; `client` is left out on a client's own page. */
export function tableHeaders(filter: NumberFilter, basePath: string, size: string | undefined, withClient: boolean) {
  const fields: SortField[] = ['phone', 'display', ...(withClient ? (['client'] as const) : []), ...TABLE_FAMILIES, 'billing'];
  return { columns: fields.map((f) => sortHeader(f, filter, basePath, size)), created: sortHeader('created', filter, basePath, size) };
}

/** The sort choices of the form (for the card view and phones, where there are no headers). */
function sortChoices(filter: NumberFilter) {
  const choices: { value: string; label: string; sort: Sort }[] = [
    { value: 'created:desc', label: 'Newest first', sort: { field: 'created', dir: 'desc' } },
    { value: 'created:asc', label: 'Oldest first', sort: { field: 'created', dir: 'asc' } },
    { value: 'client:asc', label: 'Client name', sort: { field: 'client', dir: 'asc' } },
    { value: 'phone:asc', label: 'Phone number', sort: { field: 'phone', dir: 'asc' } },
    { value: 'display:asc', label: 'Display name', sort: { field: 'display', dir: 'asc' } },
    ...FILTER_FAMILIES.map((f) => ({ value: `${f}:asc`, label: FAMILIES[f].label, sort: { field: f, dir: 'asc' as const } })),
  ];
  const current = `${filter.sort.field}:${filter.sort.dir}`;
  if (!choices.some((c) => c.value === current)) {
    choices.push({
      value: current,
      label: `${FIELD_LABELS[filter.sort.field]} (${filter.sort.dir === 'asc' ? 'ascending' : 'descending'})`,
      sort: filter.sort,
    });
  }
  return choices.map((c) => ({ value: c.value, label: c.label, selected: c.value === current }));
}

/** The filter form: a group of checkboxes per family, from the catalogue, with the current choice. */
export function filterForm(filter: NumberFilter, size: number) {
  return {
    q: filter.q ?? '',
    attention: filter.attention,
    families: FILTER_FAMILIES.map((family) => {
      const chosen = filter.status[family] ?? [];
      return {
        family,
        label: FAMILIES[family].label,
        chosen: chosen.length,
        options: (FAMILIES[family].statuses as readonly { value: string; label: string }[])
          .filter((s) => !(family === 'billing' && s.value === 'removed'))
          .map((s) => ({ id: `f-${family}-${s.value}`, value: s.value, label: s.label, checked: chosen.includes(s.value) })),
      };
    }),
    sorts: sortChoices(filter),
    sizes: PAGE_SIZES.map((value) => ({ value, selected: value === size })),
    statusFiltered: Object.keys(filter.status).length > 0,
  };
}

/**
 * The filters in force as chips, each with the link that removes it (and keeps the rest), and
 * the link that clears them all. The sort and page size stay; the page starts again.
 */
export function filterChips(filter: NumberFilter, basePath: string, size: string | undefined) {
  const href = (f: NumberFilter) => `${basePath}${filterQueryString(f, { size })}`;
  const chips: { label: string; removeHref: string }[] = [];
  if (filter.q) chips.push({ label: `Search: “${filter.q}”`, removeHref: href({ ...filter, q: undefined }) });
  if (filter.attention) chips.push({ label: 'Needs attention', removeHref: href({ ...filter, attention: false }) });
  for (const family of FILTER_FAMILIES) {
    for (const value of filter.status[family] ?? []) {
      const rest = (filter.status[family] ?? []).filter((v) => v !== value);
      const status = { ...filter.status, [family]: rest };
      if (!rest.length) delete status[family];
      chips.push({ label: `${FAMILIES[family].short}: ${statusView(family, value).label}`, removeHref: href({ ...filter, status }) });
    }
  }
  return { chips, clearHref: chips.length ? href({ ...filter, q: undefined, attention: false, status: {} }) : undefined };
}

/**
 * The counts of what the list shows, with links that narrow it by number status (keeping the
 * rest of the filter), and the status mix as SVG bar segments. Capped counts say "10,000+" and
 * show no split. Bar and legend keep the catalogue's order, and each status its own colour and
 * hatching (MIX_STYLES), so the legend's swatches match the bar without relying on colour.
 */
export function summaryView(count: MatchCount, filter: NumberFilter, basePath: string, size: string | undefined) {
  const total = formatCount(count.total) + (count.capped ? '+' : '');
  const statuses = count.capped
    ? []
    : FAMILIES.lifecycle.statuses.map((s) => {
        const n = count.byStatus[s.value] ?? 0;
        return {
          value: s.value,
          label: s.label,
          patternId: mixPatternId(s.value),
          count: formatCount(n),
          n,
          href: `${basePath}${filterQueryString({ ...filter, status: { ...filter.status, lifecycle: [s.value] } }, { size })}`,
        };
      });
  const description = statuses
    .filter((s) => s.n)
    .map((s) => `${s.label} ${s.count}`)
    .join(', ');
  // Zeros say "none of these" about the whole portfolio; under a filter or for one client they are noise.
  const shown = statuses.filter((s) => s.n || (!isFiltered(filter) && !filter.clientId));
  const hasNumbers = count.total > 0;
  return {
    total,
    n: count.total,
    capped: count.capped,
    // No numbers, nothing to attend to: the figure only shows beside numbers, and is an alarm only above zero.
    attention: count.capped || !hasNumbers ? undefined : formatCount(count.attention),
    attentionAlert: !count.capped && count.attention > 0,
    attentionHref: `${basePath}${filterQueryString({ ...filter, attention: true }, { size })}`,
    statuses: shown,
    segments: mixSegments(statuses),
    patterns: shown.length ? mixPatterns() : [],
    chartLabel: hasNumbers ? `Status mix of ${total} ${count.total === 1 ? 'number' : 'numbers'}: ${description}` : 'No numbers',
  };
}

const mixPatternId = (status: string) => `mix-${status}`;

/** The fills the bar and the legend's swatches share: one SVG pattern per number status. */
function mixPatterns() {
  return FAMILIES.lifecycle.statuses.map((s) => ({
    id: mixPatternId(s.value),
    hex: MIX_STYLES[s.value].hex,
    ...MIX_PATTERN_SHAPES[MIX_STYLES[s.value].pattern],
  }));
}

/**
 * One segment per status present, side by side and filling the bar; a tiny share is widened to
 * MIN_SEGMENT and the rest narrowed to make room, so every present status stays visible.
 */
function mixSegments(statuses: readonly { value: LifecycleStatus; label: string; count: string; n: number; patternId: string }[]) {
  const present = statuses.filter((s) => s.n > 0);
  const sum = present.reduce((acc, s) => acc + s.n, 0);
  const widths = present.map((s) => Math.max((s.n / sum) * 100, MIN_SEGMENT));
  const scale = 100 / widths.reduce((acc, w) => acc + w, 0);
  let x = 0;
  return present.map((s, i) => {
    const width = widths[i] * scale;
    const segment = {
      x: x.toFixed(3),
      width: width.toFixed(3),
      hex: MIX_STYLES[s.value].hex,
      patternId: s.patternId,
      title: `${s.label}: ${s.count}`,
    };
    x += width;
    return segment;
  });
}

/** "Showing 51–100 of 1,234" where the place is known, else "Showing 50". */
export function showingText(start: number | undefined, shown: number, count: MatchCount): string {
  const of = ` of ${formatCount(count.total)}${count.capped ? '+' : ''}`;
  if (!shown) return '';
  if (start === undefined) return `Showing ${formatCount(shown)}${of}`;
  return `Showing ${formatCount(start)}–${formatCount(start + shown - 1)}${of}`;
}

export function historyView(changes: StatusChangeRow[]) {
  return changes.map((c) => ({
    changedAt: c.changedAt,
    familyName: FAMILIES[c.family]?.label ?? c.family,
    from: c.fromValue ? statusView(c.family, c.fromValue) : undefined,
    to: statusView(c.family, c.toValue),
    source: c.source,
  }));
}

/** Everything the details page shows about a number, its WABA account and its client. */
export function detailsView(n: NumberRow, now: Date, notes?: readonly NumberNote[]) {
  const waba = n.waba;
  const client = n.client;
  return {
    ...cardView(n, now, notes),
    number: {
      providerId: n.providerId,
      externalId: n.externalId,
      accountMode: n.accountMode,
      registrationMethod: n.registrationMethod,
      ivr: n.ivr,
      providerCreatedAt: n.providerCreatedAt,
      statusChangedAt: n.statusChangedAt,
    },
    waba: {
      providerId: waba.providerId,
      externalId: waba.externalId,
      namespace: waba.namespace,
      timezoneId: waba.timezoneId,
      timezoneName: metaTimezoneLabel(waba.timezoneId, now),
    },
    client: {
      providerId: client.providerId,
      name: client.name,
      contactEmail: client.contactEmail,
      consent: statusView('consent', client.consentStatus),
    },
  };
}

/**
 * A list page to go back to: a local path to WhatsApp Accounts or a client's page, with its
 * query (search, filters, sort, page); anything else (another site, another page) is refused.
 */
export function listPath(value: unknown): string | undefined {
  const path = safeLocalPath(value);
  return path && /^\/(accounts|clients\/[0-9A-Za-z_-]{22})(\?|$)/.test(path) ? path : undefined;
}

/** A client's page: the client's facts and its WABA accounts with their statuses. */
export function clientView(client: ClientRow, wabas: ClientWabaRow[]) {
  return {
    id: client.id,
    providerId: client.providerId,
    name: client.name,
    contactEmail: client.contactEmail,
    consent: statusView('consent', client.consentStatus),
    wabas: wabas.map((w) => ({
      providerId: w.providerId,
      externalId: w.externalId,
      namespace: w.namespace,
      numbers: formatCount(w.numbers),
      statuses: [
        statusView('waba', w.status),
        statusView('verification', w.businessVerificationStatus),
        statusView('onBehalf', w.messageOnBehalfStatus),
      ],
    })),
  };
}
