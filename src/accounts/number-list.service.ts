import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import type { CurrentMember } from '../common/http';
import type { FieldErrors } from '../common/forms';
import { SeeOther } from '../common/see-other';
import { CONTROL_CHAR } from '../common/unsafe-text';
import { backQuery, cardGroups, filterChips, filterForm, numberHrefs, showingText, tableHeaders, tableRows } from './number-list.presenter';
import { searchTerm } from './search-text';
import { summaryView } from './summary.presenter';
import { formatCount } from '../common/view-helpers';
import { AccountsService, type ListedRow, type MatchCount } from './accounts.service';
import { ListPreferences, type RecentChoice } from './list-preferences.service';
import { NumberExtensions } from './number-extensions.service';
import {
  decodeCursor,
  DEFAULT_PAGE_SIZE,
  filterQueryString,
  isFiltered,
  MAX_SEARCH_LENGTH,
  parseNumberFilter,
  parsePageSize,
  readableListQuery,
  SEARCH_TOO_LONG,
  type NumberFilter,
} from './number-filter';
import type { NumberRow } from './number-row';
import { nationalNumber } from './phone';
import { RemovedNumbers } from './removed-numbers.service';

/** Where a list is shown: WhatsApp Accounts (`/accounts`) or a client's page (`/clients/:id`). */
export interface ListPlace {
  basePath: string;
  clientId?: string;
  /** The layout the person chose lately in this browser (its session's). */
  recentChoice?: RecentChoice;
  /** On a client's page: WhatsApp Accounts as it was opened from (`back`, sanitised), kept by every link of the page. */
  back?: string;
}

/**
 * Builds a page of the list of numbers, for WhatsApp Accounts and a client's page alike: the
 * rows in the person's layout (table or cards), the counts of what the filter matches, the
 * filter bar, its chips and the pager. Every link keeps the search, filters, sort and size.
 */
@Injectable()
export class NumberList {
  constructor(
    private readonly accounts: AccountsService,
    private readonly extensions: NumberExtensions,
    private readonly preferences: ListPreferences,
    private readonly clock: Clock,
    private readonly removedNumbers: RemovedNumbers,
  ) {}

  async view(member: CurrentMember, asked: Record<string, unknown>, place: ListPlace) {
    const { query, leftOut } = readableListQuery(asked);
    // A search no search box sends is the search field's error (422): the list shows the rest
    // of what was asked, and the box what of the search it could keep.
    const search = unusableSearch(query.q);
    const errors: FieldErrors = search ? { q: search.error } : {};
    const parsed = parseNumberFilter(search ? { ...query, q: undefined } : query, { unknown: 'ignore' });
    const filter: NumberFilter = place.clientId ? { ...parsed, clientId: place.clientId } : parsed;
    const size = parsePageSize(query);
    const sizeParam = size === DEFAULT_PAGE_SIZE ? undefined : String(size);
    const { back: keptBack } = place;
    // `list=1`: the list itself, even of a search that names one number exactly (the way back from that number).
    const listed = query.list === '1' && parsed.q ? '1' : undefined;
    // A client filter on the whole list is that client's page.
    if (!place.clientId && filter.clientId)
      throw new SeeOther(`/clients/${filter.clientId}${filterQueryString(filter, { size: sizeParam })}`);
    const after = decodeCursor(query.after, filter.sort);
    const before = after ? undefined : decodeCursor(query.before, filter.sort);
    const partnerId = member.partnerId;

    const [page, count, layout] = await Promise.all([
      this.accounts.page(partnerId, filter, { after, before }, size),
      this.accounts.count(partnerId, filter),
      this.preferences.view(member.userId, place.recentChoice),
    ]);
    const { basePath } = place;
    const here = (extra: Record<string, string | undefined> = {}) =>
      `${basePath}${filterQueryString(filter, { size: sizeParam, back: keptBack, list: listed, ...extra })}`;
    // The number's page leads back to this search as a list (`list=1`): else going back would open the number again.
    if (filter.q && !listed && page.first && page.numbers.length === 1)
      await this.goStraightToExactMatch(partnerId, filter.q, page.numbers[0], here({ list: '1' }));

    const now = this.clock.now();
    const listUrl = here(page.first ? {} : { after: query.after as string | undefined, before: query.before as string | undefined });
    const back = listUrl === '/accounts' ? undefined : listUrl;
    const notes = await this.extensions.notes(partnerId, page.numbers, now);
    const filtered = isFiltered(filter);
    const empty = page.numbers.length === 0;
    // A search that finds nothing may name a number that was here: the page says where it went.
    // Only for a search alone: under status filters, a number with that phone may be here, filtered out.
    const searchOnly = !!filter.q && !filter.attention && Object.keys(filter.status).length === 0;
    const removedMatches = empty && page.first && searchOnly ? await this.removedNumbers.named(partnerId, filter.q!, place.clientId) : [];
    return {
      basePath,
      listUrl,
      // Not `layout`: hbs reads that local as the page's layout template.
      listLayout: layout,
      /** The table takes the screen's width, and keeps it when a search finds nothing (the form stays where it was). */
      wide: layout === 'table',
      table:
        layout === 'table' && !empty
          ? {
              ...tableHeaders(filter, basePath, sizeParam, !place.clientId, keptBack),
              rows: tableRows(page.numbers, now, notes, back, !!place.clientId),
            }
          : undefined,
      groups: layout === 'cards' ? cardGroups(page.numbers, filter.sort, now, notes, back, !!place.clientId) : undefined,
      // The form sends `back` on as a hidden field: a search on a client's page keeps its way back.
      form: {
        ...filterForm(filter, size, !place.clientId),
        ...(search && { q: search.shown }),
        back: keptBack,
      },
      errors,
      values: {},
      ...filterChips(filter, basePath, sizeParam, keptBack),
      summary: summaryView(count, filter, basePath, sizeParam, keptBack),
      /** The list with no search nor filter (the empty states' links), still with its way back. */
      plainHref: `${basePath}${backQuery(keptBack)}`,
      filtered,
      matchText: filtered ? matchText(count) : undefined,
      showing: showingText(page.start, page.numbers.length, count),
      csvHref: `/accounts/export.csv${filterQueryString(filter, { client: place.clientId })}`,
      xlsxHref: `/accounts/export.xlsx${filterQueryString(filter, { client: place.clientId })}`,
      listNotices: [...(leftOut.length ? [leftOutNotice(leftOut)] : []), ...(await this.extensions.listNotices(member))],
      pager: {
        firstHref: page.first ? undefined : here(),
        previousHref: page.previous ? here({ before: page.previous }) : undefined,
        nextHref: page.next ? here({ after: page.next }) : undefined,
      },
      empty,
      removedMatches,
      emptyKind: !empty ? undefined : count.total === 0 && !filtered ? 'none' : page.first ? 'no-match' : 'end',
    };
  }

  /**
   * A search whose only result is that number's phone or one of its ids opens the number:
   * the person typed what identifies it. Its page leads back to the search (`back`), as from
   * the list's own link: the list was never shown, so nothing else leads there.
   */
  private async goStraightToExactMatch(partnerId: string, q: string, only: ListedRow, search: string): Promise<void> {
    const number = await this.accounts.findVisible(partnerId, only.id);
    if (number && isExactMatch(q, number)) throw new SeeOther(numberHrefs(search)(number.id));
  }
}

/**
 * Why the search in a list's address cannot be run, and what of it the search box shows; none
 * for a search it can run. A control character (NUL among them) is never typed into a box; one
 * longer than the box takes or given twice comes from a link someone edited.
 */
function unusableSearch(q: unknown): { error: string; shown: string } | undefined {
  if (q === undefined || q === '') return undefined;
  if (typeof q !== 'string') return { error: 'The address gives more than one search: type the one you want.', shown: '' };
  if (CONTROL_CHAR.test(q)) {
    const shown = q.replace(new RegExp(CONTROL_CHAR.source, 'g'), '').trim();
    return { error: 'The search contains a control character, which no search can match: type it again without it.', shown };
  }
  const trimmed = q.trim();
  if (trimmed.length > MAX_SEARCH_LENGTH) return { error: SEARCH_TOO_LONG, shown: trimmed.slice(0, MAX_SEARCH_LENGTH) };
  return undefined;
}

/** "Part of this link could not be used and was left out: the sort order and the page." */
function leftOutNotice(leftOut: string[]): string {
  const list = leftOut.length === 1 ? leftOut[0] : `${leftOut.slice(0, -1).join(', ')} and ${leftOut[leftOut.length - 1]}`;
  return `Part of this link could not be used and was left out: ${list}. The list shows what the rest of it asks for.`;
}

/** "1,234 numbers match", "10,000+ numbers match", "1 number matches". */
function matchText(count: MatchCount): string {
  const n = `${formatCount(count.total)}${count.capped ? '+' : ''}`;
  return count.total === 1 && !count.capped ? `${n} number matches` : `${n} numbers match`;
}

/**
 * Whether a search names this number exactly: its full phone number in any format, as dialled
 * abroad or at home ("+44 7912 782373", "07912 782373", "7912 782373"), or an id of the number
 * or of its WABA account (the client's id names the client, not one number).
 */
export function isExactMatch(q: string, n: NumberRow): boolean {
  const term = searchTerm(q);
  if (/^\d+$/.test(term) && (n.phoneNumber.replace(/\D/g, '') === term || nationalNumber(n.phoneNumber) === term)) return true;
  const wanted = q.trim().toLowerCase();
  return [n.providerId, n.externalId, n.waba.providerId, n.waba.externalId, n.waba.namespace].some(
    (id) => !!id && id.toLowerCase() === wanted,
  );
}
