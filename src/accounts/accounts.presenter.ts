import { FAMILIES, statusDef } from '../statuses';
import { safeLocalPath } from '../common/local-path';
import { formatCount } from '../common/view-helpers';
import type { ClientRow, ClientWabaRow, StatusChangeRow } from './accounts.service';
import type { ChangeSource } from './entities/number-status-change.entity';
import type { NumberNote } from './number-extensions.service';
import { backQuery, cardView } from './number-list.presenter';
import type { NumberRow } from './number-row';
import { pendingTooLong, statusView } from './status-view';
import { metaTimezoneLabel } from './timezones';

/** What made a status change, in the words of the history. */
const SOURCES: Record<ChangeSource, string> = {
  import: "from the provider's data",
  revocation: 'by a payment revocation request',
  job: 'when the revocation took effect',
  demo: 'demo data',
};

/**
 * A revocation's change back to "partner pays" is its withdrawal: the only billing change of
 * that source that reopens payment (a request moves it away from "partner pays").
 */
function sourceOf(c: StatusChangeRow): string {
  if (c.source === 'revocation' && c.family === 'billing' && c.toValue === 'partner_paid')
    return 'when the payment revocation was withdrawn';
  return SOURCES[c.source] ?? c.source;
}

/** The number's details page and the client's page, for the templates. */
export function historyView(changes: StatusChangeRow[]) {
  return changes.map((c) => ({
    changedAt: c.changedAt,
    familyName: FAMILIES[c.family]?.label ?? c.family,
    from: c.fromValue ? statusView(c.family, c.fromValue) : undefined,
    to: statusView(c.family, c.toValue),
    source: sourceOf(c),
  }));
}

/**
 * A pending status's next step once it has waited too long: what "Nothing to do" promised did
 * not happen, so the page says so and who to ask; a step the partner can take stays.
 */
function stuckNextStep(next: string, since: Date, now: Date): string {
  const days = Math.floor((now.getTime() - since.getTime()) / 86_400_000);
  const step = next.startsWith('Nothing to do')
    ? "ask the provider's support why"
    : next.charAt(0).toLowerCase() + next.slice(1).replace(/\.$/, '');
  return `In this status for ${formatCount(days)} days, longer than it should take: ${step}.`;
}

/** An account mode as the provider sends it (`live`), in a word: Live. */
const accountModeLabel = (mode: string | null) => (mode ? mode.charAt(0).toUpperCase() + mode.slice(1) : null);

/** Everything the details page shows about a number, its WABA account and its client. */
export function detailsView(n: NumberRow, now: Date, notes?: readonly NumberNote[]) {
  const waba = n.waba;
  const client = n.client;
  const card = cardView(n, now, notes);
  // The statuses at fault first, marked (the page's note points at them), then the others in the usual order.
  const overview = card.overview.map((s) =>
    s.family === 'lifecycle' && pendingTooLong(n, now)
      ? { ...s, attention: true, next: stuckNextStep(s.next, n.statusChangedAt, now) }
      : { ...s, attention: !!statusDef(s.family, s.value)?.attention },
  );
  return {
    ...card,
    overview: [...overview.filter((s) => s.attention), ...overview.filter((s) => !s.attention)],
    number: {
      providerId: n.providerId,
      externalId: n.externalId,
      accountMode: accountModeLabel(n.accountMode),
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

/** The links of a number's pages (details, revocation, removed) back to where it was opened from. */
export interface WayBack {
  /** WhatsApp Accounts as it was (search, filters, sort, page), else the plain list. */
  listHref: string;
  /** The number's client page: as it was when the number was opened from it, else carrying the list. */
  clientHref: string;
  /** The number's details page, carrying the way back on. */
  numberHref: string;
  /** `?back=…` for the links and forms of the number's pages, or ''. */
  query: string;
}

/**
 * Where a number's pages lead back to, from their `back` parameter: the list or this client's
 * page it was opened from, and the list that page was opened from. A value that is not one of
 * them (another site, another page, another client) is dropped, and the links go to the plain
 * list and the client's page.
 */
export function wayBack(back: unknown, number: { id: string; clientId: string }): WayBack {
  const from = listPath(back);
  const clientPage = `/clients/${number.clientId}`;
  const fromClient = from !== undefined && (from === clientPage || from.startsWith(`${clientPage}?`));
  // Opened from a client's page that was opened from the list: the list as it was, one step further back.
  const fromList = accountsListPath(fromClient ? new URL(from, 'http://hub').searchParams.get('back') : back);
  const query = backQuery(fromClient ? from : fromList);
  return {
    listHref: fromList ?? '/accounts',
    clientHref: fromClient ? from : `${clientPage}${backQuery(fromList)}`,
    numberHref: `/accounts/${number.id}${query}`,
    query,
  };
}

/** WhatsApp Accounts as a `back` names it (search, filters, sort, page), or undefined for anything else, a client's page too. */
export function accountsListPath(back: unknown): string | undefined {
  const from = listPath(back);
  return from !== undefined && !from.startsWith('/clients/') ? from : undefined;
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
