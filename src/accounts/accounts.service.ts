import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { SharedRuns } from '../common/shared-runs';
import { Sql } from '../database/sql';
import { countClientWabaNumbers, readClient, readClientWabas, type ClientRow, type ClientWabaRow } from './client.query';
import { readClientPage, type ClientCursor } from './client-list.query';
import { decodeCursor, encodeCursor, isFiltered, type Cursor, type NumberFilter } from './number-filter';
import { cursorFor } from './number-sql';
import type { CardRow, NumberRow } from './number-row';
import { NumberSummaries } from './number-summaries.service';
import type { AccountsSummary } from './number-summary.query';
import {
  countMatching,
  readFullNumberRows,
  readNumberRows,
  readNumberWithHistory,
  readVisibleNumber,
  type ListedRow,
  type MatchCount,
} from './number.query';
import { readStatusHistory, type StatusChangeRow } from './status-history.query';

export type { AccountsSummary, ClientCursor, ClientRow, ClientWabaRow, ListedRow, MatchCount, StatusChangeRow };

/** A filtered list counts its matches up to this many: "10,000+" beyond. */
export const COUNT_CAP = 10_000;
/** How long a filtered count is kept while the partner's numbers do not change. */
export const COUNT_TTL_MS = 60_000;
/** Counts kept per process, the least recently counted dropped first. */
const MAX_KEPT_COUNTS = 1_000;

/** What a count depends on: the partner and the filter, not its sort. */
const countKey = (partnerId: string, filter: NumberFilter) =>
  JSON.stringify([
    'filter',
    partnerId,
    filter.clientId ?? null,
    filter.providerIds ?? null,
    filter.q ?? null,
    filter.attention,
    filter.status,
  ]);

/** Where a page is read from: the start, after a row, or before one (Previous page). */
export interface PageAt {
  after?: Cursor;
  before?: Cursor;
}

export interface AccountsPage<R extends CardRow = CardRow> {
  numbers: ListedRow<R>[];
  /** The cursor of the next page's `after`, when there is one. */
  next?: string;
  /** The cursor of the previous page's `before`, when this is not the first page. */
  previous?: string;
  /** Whether this page starts the list. */
  first: boolean;
  /** The place of the first row (1 for the first), when known. */
  start?: number;
}

/** Reads a partner's numbers for the WhatsApp Accounts pages. Every query is scoped by partner. */
@Injectable()
export class AccountsService {
  private readonly counts = new Map<string, { count: unknown; changes: number; at: number }>();
  /** The counts running now, by the change counter they were started at and their key. */
  private readonly counting = new SharedRuns<unknown>();

  constructor(
    private readonly sql: Sql,
    private readonly summaries: NumberSummaries,
    private readonly clock: Clock,
  ) {}

  /**
   * One page in the filter's sort order, after or before a cursor. One row more than the page
   * tells whether a page follows (or precedes), without counting; the cursors carry each row's
   * place, so the page knows where it starts.
   */
  async page(partnerId: string, filter: NumberFilter, at: PageAt, size: number): Promise<AccountsPage> {
    const now = this.clock.now();
    if (at.before) {
      const rows = await readNumberRows(this.sql, partnerId, filter, at.before, size + 1, now, true);
      // Fewer than a page before it: the list's first page (rows came or went meanwhile).
      if (rows.length > size) {
        const numbers = rows.slice(0, size).reverse();
        const pos = at.before.pos !== undefined && at.before.pos - size >= 1 ? at.before.pos - size : undefined;
        return this.pageOf(filter, numbers, pos, true, true);
      }
      at = {};
    }
    const rows = await readNumberRows(this.sql, partnerId, filter, at.after, size + 1, now);
    const numbers = rows.slice(0, size);
    const pos = at.after ? (at.after.pos === undefined ? undefined : at.after.pos + 1) : 0;
    return this.pageOf(filter, numbers, pos, !!at.after, rows.length > size);
  }

  private pageOf<R extends CardRow>(
    filter: NumberFilter,
    numbers: ListedRow<R>[],
    pos: number | undefined,
    hasPrevious: boolean,
    hasNext: boolean,
  ): AccountsPage<R> {
    const last = numbers.length - 1;
    const at = (i: number) => (pos === undefined ? undefined : pos + i);
    return {
      numbers,
      next: hasNext && last >= 0 ? encodeCursor(cursorFor(filter.sort, numbers[last], at(last))) : undefined,
      previous: hasPrevious && last >= 0 ? encodeCursor(cursorFor(filter.sort, numbers[0], at(0))) : undefined,
      first: !hasPrevious,
      start: pos === undefined ? undefined : pos + 1,
    };
  }

  /**
   * The counts of what the filter shows: the partner's stored summary when nothing narrows
   * the list (exact, no counting), otherwise a count capped at COUNT_CAP, kept for paging
   * through the same filter until the partner's numbers change (NumberSummaries.changes) or
   * COUNT_TTL_MS passes (time alone moves numbers into "needs attention").
   */
  async count(partnerId: string, filter: NumberFilter): Promise<MatchCount> {
    if (!isFiltered(filter) && !filter.clientId) {
      const summary = await this.summaries.read(partnerId);
      return { total: summary.total, capped: false, byStatus: summary.byStatus, attention: summary.attention };
    }
    return this.kept(partnerId, countKey(partnerId, filter), (now) => countMatching(this.sql, partnerId, filter, now, COUNT_CAP));
  }

  /**
   * A count kept until the partner's numbers change (NumberSummaries.changes) or COUNT_TTL_MS
   * passes; counted again otherwise. Without a stored summary it is never kept.
   */
  private async kept<T>(partnerId: string, key: string, count: (now: Date) => Promise<T>): Promise<T> {
    const changes = await this.summaries.changes(partnerId);
    const now = this.clock.now();
    const kept = this.counts.get(key);
    if (kept && changes !== null && kept.changes === changes && now.getTime() - kept.at < COUNT_TTL_MS) return kept.count as T;
    // The pages that find it out of date together (every request in flight on a busy list)
    // wait for one count, not one each.
    return this.counting.run(`${changes}\u0000${key}`, async () => {
      const counted = await count(now);
      if (changes !== null) {
        this.counts.delete(key);
        if (this.counts.size >= MAX_KEPT_COUNTS) this.counts.delete(this.counts.keys().next().value!);
        this.counts.set(key, { count: counted, changes, at: now.getTime() });
      }
      return counted;
    }) as Promise<T>;
  }

  /** Counts per lifecycle status, total and attention, as last counted (NumberSummaries). */
  summary(partnerId: string): Promise<AccountsSummary> {
    return this.summaries.read(partnerId);
  }

  /** A number of this partner that is still in the hub, or null (unknown, foreign or removed). */
  findVisible(partnerId: string, id: string): Promise<NumberRow | null> {
    return readVisibleNumber(this.sql, partnerId, id);
  }

  /** A number of this partner that is still in the hub and its status history (`history`), or null. */
  findVisibleWithHistory(partnerId: string, id: string, limit = 200): Promise<{ number: NumberRow; history: StatusChangeRow[] } | null> {
    return readNumberWithHistory(this.sql, partnerId, id, limit);
  }

  /** The number's status history, newest first. */
  history(partnerId: string, numberId: string, limit = 200): Promise<StatusChangeRow[]> {
    return readStatusHistory(this.sql, partnerId, numberId, limit);
  }

  /** A client of this partner, or null (unknown or another partner's). */
  client(partnerId: string, clientId: string): Promise<ClientRow | null> {
    return readClient(this.sql, partnerId, clientId);
  }

  /**
   * The client's WABA accounts with how many of their numbers are in the hub: the accounts as
   * they are now, their counts kept like a filter's (they change with the partner's numbers).
   */
  async clientWabas(partnerId: string, clientId: string): Promise<ClientWabaRow[]> {
    const [wabas, numbers] = await Promise.all([
      readClientWabas(this.sql, partnerId, clientId),
      this.kept(partnerId, JSON.stringify(['wabas', partnerId, clientId]), () => countClientWabaNumbers(this.sql, partnerId, clientId)),
    ]);
    return wabas.map((w) => Object.assign(w, { numbers: numbers.get(w.id) ?? 0 }));
  }

  /**
   * A page of full rows after an opaque cursor (`next` of an earlier page) for the Partner API.
   * A cursor this app did not make for this sort is a BadRequestException, never a query.
   */
  async fullPageAfterCursor(
    partnerId: string,
    filter: NumberFilter,
    cursor: string | undefined,
    size: number,
  ): Promise<AccountsPage<NumberRow>> {
    const after = decodeCursor(cursor, filter.sort);
    const rows = await readFullNumberRows(this.sql, partnerId, filter, after, size + 1, this.clock.now());
    const pos = after ? (after.pos === undefined ? undefined : after.pos + 1) : 0;
    return this.pageOf(filter, rows.slice(0, size), pos, !!after, rows.length > size);
  }

  /** A page of the partner's clients by name, after a cursor (keyset). */
  clientPage(partnerId: string, after: ClientCursor | undefined, limit: number): Promise<ClientRow[]> {
    return readClientPage(this.sql, partnerId, after, limit);
  }
}
