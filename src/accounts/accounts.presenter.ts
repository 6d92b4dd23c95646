import { FAMILIES, statusAnchor, statusDef, type Colour, type FamilyKey } from '../statuses';
import type { CardRow, NumberRow } from './number-row';
import { FILTER_FAMILIES, STUCK_AFTER_DAYS, filterQueryString, isFiltered, type NumberFilter, type Sort } from './number-filter';
import { phoneView, type PhoneView } from './phone';
import { metaTimezoneName } from './timezones';
import type { AccountsSummary, StatusChangeRow } from './accounts.service';
import type { NumberNote } from './number-extensions.service';

/**
 * Turns numbers into what the templates show, so that templates only print: every status
 * comes with its label, colour, meaning and next step from the one catalogue.
 */
export interface StatusView {
  family: FamilyKey;
  familyName: string;
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
  phone: PhoneView;
  displayName?: string | null;
  clientName: string;
  /** Shared by every card with the same statuses, so that the `memo` helper renders each set once. */
  badges: readonly StatusView[];
  overview: readonly StatusView[];
  attention: boolean;
  /** Lines other modules add through NumberExtensions. */
  notes: readonly NumberNote[];
}

/** The families on a card, in the order they are shown. */
const CARD_FAMILIES: FamilyKey[] = ['lifecycle', 'waba', 'verification', 'onBehalf', 'registration', 'billing'];
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

export const COLOUR_HEX: Record<Colour, string> = {
  green: '#1a7f37',
  blue: '#0a58ca',
  amber: '#8a5a00',
  red: '#b42318',
  grey: '#57606a',
};

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

/** Whether a number shows up under "needs attention" (the same rule as attentionWhere). */
export function needsAttention(n: CardRow, now: Date): boolean {
  const families: FamilyKey[] = ['lifecycle', 'registration', 'waba', 'verification', 'onBehalf'];
  if (families.some((f) => statusDef(f, familyValue(n, f))?.attention)) return true;
  const stuck = now.getTime() - n.statusChangedAt.getTime() > STUCK_AFTER_DAYS * 86_400_000;
  return stuck && !!statusDef('lifecycle', n.status)?.pending;
}

const NO_NOTES: readonly NumberNote[] = Object.freeze([]);

export function cardView(n: CardRow, now: Date, notes: readonly NumberNote[] = NO_NOTES): CardView {
  return {
    id: n.id,
    phone: phoneView(n.phoneNumber),
    displayName: n.displayName,
    clientName: n.clientName,
    badges: statusSet(CARD_FAMILIES, n),
    overview: statusSet(OVERVIEW_FAMILIES, n),
    attention: needsAttention(n, now),
    notes,
  };
}

/** Cards under their client's heading, in page order: consecutive cards of one client share it. */
export function groupByClient(
  numbers: CardRow[],
  now: Date,
  notes: ReadonlyMap<string, readonly NumberNote[]> = new Map(),
): { clientName: string; cards: CardView[] }[] {
  const groups: { clientId: string; clientName: string; cards: CardView[] }[] = [];
  for (const n of numbers) {
    const last = groups[groups.length - 1];
    const card = cardView(n, now, notes.get(n.id));
    if (last && last.clientId === n.client.id) last.cards.push(card);
    else groups.push({ clientId: n.client.id, clientName: n.clientName, cards: [card] });
  }
  return groups;
}

const SORT_LABELS: Record<Sort, string> = { newest: 'Newest first', client: 'Client name', phone: 'Phone number' };

/** The filter form: one select per family, from the catalogue, with the current choice. */
export function filterForm(filter: NumberFilter) {
  return {
    q: filter.q ?? '',
    attention: filter.attention,
    families: FILTER_FAMILIES.map((family) => ({
      family,
      id: `filter-${family}`,
      label: FAMILIES[family].label,
      options: (FAMILIES[family].statuses as readonly { value: string; label: string }[])
        .filter((s) => !(family === 'billing' && s.value === 'removed'))
        .map((s) => ({ value: s.value, label: s.label, selected: filter.status[family] === s.value })),
    })),
    sorts: (Object.keys(SORT_LABELS) as Sort[]).map((value) => ({ value, label: SORT_LABELS[value], selected: filter.sort === value })),
    filtered: isFiltered(filter),
    statusFiltered: Object.keys(filter.status).length > 0,
  };
}

/** Summary counts with links to their filtered lists, and the status mix as SVG bar segments. */
export function summaryView(summary: AccountsSummary) {
  const statuses = FAMILIES.lifecycle.statuses.map((s) => ({
    value: s.value,
    label: s.label,
    colour: s.colour,
    hex: COLOUR_HEX[s.colour],
    count: summary.byStatus[s.value] ?? 0,
    href: `/accounts${filterQueryString({ status: { lifecycle: s.value }, attention: false, sort: 'newest' })}`,
  }));
  let x = 0;
  const segments = [];
  for (const s of statuses) {
    if (!s.count || !summary.total) continue;
    const width = (s.count / summary.total) * 100;
    segments.push({ x: x.toFixed(3), width: width.toFixed(3), fill: COLOUR_HEX[s.colour], title: `${s.label}: ${s.count}` });
    x += width;
  }
  const description = statuses
    .filter((s) => s.count)
    .map((s) => `${s.label} ${s.count}`)
    .join(', ');
  return {
    total: summary.total,
    attention: summary.attention,
    attentionHref: '/accounts?attention=1',
    statuses,
    segments,
    chartLabel: summary.total ? `Status mix of ${summary.total} numbers: ${description}` : 'No numbers yet',
  };
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
      timezoneName: metaTimezoneName(waba.timezoneId),
    },
    client: {
      providerId: client.providerId,
      name: client.name,
      contactEmail: client.contactEmail,
      consent: statusView('consent', client.consentStatus),
    },
  };
}
