import { FAMILIES, familyStatuses, type FamilyKey } from '../statuses';
import { formatCount } from '../common/view-helpers';
import type { MatchCount } from './accounts.service';
import type { NumberNote } from './number-extensions.service';
import {
  defaultDir,
  FILTER_FAMILIES,
  filterQueryString,
  PAGE_SIZES,
  type FilterFamily,
  type NumberFilter,
  type Sort,
  type SortDir,
  type SortField,
} from './number-filter';
import type { CardRow } from './number-row';
import { phoneView, type PhoneView } from './phone';
import { attentionFaults, statusSet, statusView, type AttentionReason, type StatusView } from './status-view';

/** The WhatsApp Accounts list (cards and table), its headers, filter form and chips, for the templates. */
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
const CARD_FAMILIES: FamilyKey[] = ['lifecycle', 'waba', 'verification', 'onBehalf', 'registration', 'consent', 'billing'];
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

const NO_NOTES: readonly NumberNote[] = Object.freeze([]);

/**
 * Where the numbers' links on a page go: each number's page, with the way back to the list they
 * were opened from (encoded once: a page links up to a hundred numbers).
 */
export function numberHrefs(back?: string): (id: string) => string {
  const query = backQuery(back);
  return (id) => `/accounts/${id}${query}`;
}

/** `?back=…` carrying a way back on a link, or '' without one. */
export const backQuery = (back: string | undefined): string => (back ? `?back=${encodeURIComponent(back)}` : '');

const plainNumberHref = numberHrefs();

export const clientHref = (clientId: string) => `/clients/${clientId}`;

/** Where the list's client names go: each client's page, whose crumb leads back to the list they were on. */
function clientHrefs(back?: string): (clientId: string) => string {
  const query = backQuery(back);
  return (clientId) => `${clientHref(clientId)}${query}`;
}

const joined = (reasons: readonly AttentionReason[], name: keyof AttentionReason) => reasons.map((r) => r[name]).join(', ');

export function cardView(
  n: CardRow,
  now: Date,
  notes: readonly NumberNote[] = NO_NOTES,
  hrefOf = plainNumberHref,
  showClient = true,
  clientHrefOf = clientHref,
): CardView {
  const reasons = attentionFaults(n, now);
  return {
    id: n.id,
    href: hrefOf(n.id),
    phone: phoneView(n.phoneNumber),
    displayName: n.displayName,
    clientName: n.clientName,
    clientHref: clientHrefOf(n.client.id),
    badges: statusSet(CARD_FAMILIES, n),
    overview: statusSet(OVERVIEW_FAMILIES, n),
    attention: reasons.length > 0,
    attentionText: joined(reasons, 'label'),
    attentionShort: joined(reasons, 'short'),
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
  const hrefOf = numberHrefs(back);
  const clientOf = clientHrefs(back);
  const cards = numbers.map((n) => cardView(n, now, notes.get(n.id), hrefOf, !headings && !oneClient, clientOf));
  if (!headings) return cards.length ? [{ cards }] : [];
  const groups: (CardGroup & { clientId: string })[] = [];
  numbers.forEach((n, i) => {
    const last = groups[groups.length - 1];
    if (last && last.clientId === n.client.id) last.cards.push(cards[i]);
    else groups.push({ clientId: n.client.id, client: { name: n.clientName, href: clientOf(n.client.id) }, cards: [cards[i]] });
  });
  return groups.map(({ client, cards }) => ({ client, cards }));
}

/** One row of the table: a number's facts, one status per column. */
export interface TableRowView {
  id: string;
  href: string;
  phone: PhoneView;
  displayName?: string | null;
  clientName: string;
  clientHref: string;
  showClient: boolean;
  /** Each cell's view is shared by every row with that status, so that `memo` renders it once. */
  cells: readonly StatusView[];
  billing: StatusView;
  notes: readonly NumberNote[];
  attention: boolean;
  /** The families at fault by their short names ("WABA, Registration"). */
  attentionShort: string;
  createdAt: Date;
}

export function tableRows(
  numbers: CardRow[],
  now: Date,
  notes: ReadonlyMap<string, readonly NumberNote[]>,
  back: string | undefined,
  oneClient: boolean,
): TableRowView[] {
  const hrefOf = numberHrefs(back);
  const clientOf = clientHrefs(back);
  return numbers.map((n) => {
    const reasons = attentionFaults(n, now);
    return {
      id: n.id,
      href: hrefOf(n.id),
      phone: phoneView(n.phoneNumber),
      displayName: n.displayName,
      clientName: n.clientName,
      clientHref: clientOf(n.client.id),
      showClient: !oneClient,
      cells: statusSet(TABLE_FAMILIES, n),
      billing: statusView('billing', n.billingState),
      notes: notes.get(n.id) ?? NO_NOTES,
      attention: reasons.length > 0,
      attentionShort: joined(reasons, 'short'),
      createdAt: n.providerCreatedAt,
    };
  });
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
 * A column header that sorts: its link keeps the search, filters and page size (and on a
 * client's page its `back`), starts again from the first page, and turns the direction round
 * when the column already sorts.
 */
function sortHeader(field: SortField, filter: NumberFilter, basePath: string, size: string | undefined, back: string | undefined) {
  const current = filter.sort.field === field;
  const dir: SortDir = current ? (filter.sort.dir === 'asc' ? 'desc' : 'asc') : defaultDir(field);
  return {
    field,
    label: FIELD_LABELS[field],
    short: (FILTER_FAMILIES as readonly string[]).includes(field) ? FAMILIES[field as FilterFamily].short : FIELD_LABELS[field],
    href: `${basePath}${filterQueryString({ ...filter, sort: { field, dir } }, { size, back })}`,
    ariaSort: current ? (filter.sort.dir === 'asc' ? 'ascending' : 'descending') : undefined,
    arrow: current ? (filter.sort.dir === 'asc' ? '▲' : '▼') : '',
  };
}

/** The columns that sort, in order, Created apart (Needs attention, which does not sort, comes before it); `client` is left out on a client's own page. */
const sortColumns = (withClient: boolean): SortField[] => [
  'phone',
  'display',
  ...(withClient ? (['client'] as const) : []),
  ...TABLE_FAMILIES,
  'billing',
];

/** The table's column headers, in order; `back`: a client's page's way back to WhatsApp Accounts, kept. */
export function tableHeaders(filter: NumberFilter, basePath: string, size: string | undefined, withClient: boolean, back?: string) {
  return {
    columns: sortColumns(withClient).map((f) => sortHeader(f, filter, basePath, size, back)),
    created: sortHeader('created', filter, basePath, size, back),
  };
}

/**
 * A sort in words, saying which end comes first: "Created, newest first", "Client, A–Z",
 * "Number status, Created first" (a status family sorts in its catalogue's order).
 */
function sortLabel({ field, dir }: Sort): string {
  const asc = dir === 'asc';
  switch (field) {
    case 'created':
      return `Created, ${asc ? 'oldest' : 'newest'} first`;
    case 'phone':
      return `Phone number, ${asc ? '0–9' : '9–0'}`;
    case 'client':
    case 'display':
      return `${FIELD_LABELS[field]}, ${asc ? 'A–Z' : 'Z–A'}`;
    default: {
      // The header's name ("Verification"), short enough for a phone's select to show the end that comes
      // first; "Number status" for the number's own, whose header "Status" would not say whose.
      const name = field === 'lifecycle' ? FIELD_LABELS.lifecycle : FAMILIES[field].short;
      const listed = familyStatuses(field).filter((s) => s.value !== 'removed');
      return `${name}, ${(asc ? listed[0] : listed[listed.length - 1]).label} first`;
    }
  }
}

/**
 * The sort choices of the form (for the cards and phones, where there are no headers): every
 * sort the headers give, both ways, the way a header first sorts before the other. A sort the
 * page has no header for (the client on a client's page) is offered while it is the one in force.
 */
function sortChoices(filter: NumberFilter, withClient: boolean) {
  const value = (sort: Sort) => `${sort.field}:${sort.dir}`;
  const fields: SortField[] = ['created', ...sortColumns(withClient)];
  if (!fields.includes(filter.sort.field)) fields.push(filter.sort.field);
  const current = value(filter.sort);
  return fields.flatMap((field) => {
    const dirs: SortDir[] = defaultDir(field) === 'asc' ? ['asc', 'desc'] : ['desc', 'asc'];
    return dirs.map((dir) => ({
      value: value({ field, dir }),
      label: sortLabel({ field, dir }),
      selected: value({ field, dir }) === current,
    }));
  });
}

/** The filter form: a group of checkboxes per family, from the catalogue, with the current choice. */
export function filterForm(filter: NumberFilter, size: number, withClient: boolean) {
  return {
    q: filter.q ?? '',
    attention: filter.attention,
    families: FILTER_FAMILIES.map((family) => {
      const chosen = filter.status[family] ?? [];
      return {
        family,
        label: FAMILIES[family].label,
        chosen: chosen.length,
        options: familyStatuses(family)
          .filter((s) => !(family === 'billing' && s.value === 'removed'))
          .map((s) => ({ id: `f-${family}-${s.value}`, value: s.value, label: s.label, checked: chosen.includes(s.value) })),
      };
    }),
    sorts: sortChoices(filter, withClient),
    sizes: PAGE_SIZES.map((value) => ({ value, selected: value === size })),
    /** How many status filters are in force (each value, and "needs attention"): said on the closed panel. */
    inForce: Object.values(filter.status).reduce((n, values) => n + (values?.length ?? 0), 0) + (filter.attention ? 1 : 0),
  };
}

/**
 * The filters in force as chips, each with the link that removes it (and keeps the rest), and
 * the link that clears them all. The sort and page size stay (a client's page's `back` too);
 * the page starts again.
 */
export function filterChips(filter: NumberFilter, basePath: string, size: string | undefined, back?: string) {
  const href = (f: NumberFilter) => `${basePath}${filterQueryString(f, { size, back })}`;
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

/** "Showing 51–100 of 1,234" where the place is known, else "Showing 50". */
export function showingText(start: number | undefined, shown: number, count: MatchCount): string {
  const of = ` of ${formatCount(count.total)}${count.capped ? '+' : ''}`;
  if (!shown) return '';
  if (start === undefined) return `Showing ${formatCount(shown)}${of}`;
  return `Showing ${formatCount(start)}–${formatCount(start + shown - 1)}${of}`;
}
