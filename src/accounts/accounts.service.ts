import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { Sql } from '../database/sql';
import { cursorFor, type Cursor, type NumberFilter } from './number-filter';
import type { CardRow, NumberRow } from './number-row';
import { NumberSummaries } from './number-summaries.service';
import type { AccountsSummary } from './number-summary.query';
import { readNumberCards, readVisibleNumber } from './number.query';
import { readStatusHistory, type StatusChangeRow } from './status-history.query';

export type { AccountsSummary, StatusChangeRow };

export const PAGE_SIZE = 24;

export interface AccountsPage {
  numbers: CardRow[];
  /** The cursor of the next page, when there is one. */
  next?: string;
}

/** Reads a partner's numbers for the WhatsApp Accounts pages. Every query is scoped by partner. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly sql: Sql,
    private readonly summaries: NumberSummaries,
    private readonly clock: Clock,
  ) {}

  /** One page in the filter's sort order, after the cursor. One row more than the page tells whether a next page exists, without counting. */
  async page(partnerId: string, filter: NumberFilter, cursor: Cursor | undefined, size = PAGE_SIZE): Promise<AccountsPage> {
    const rows = await readNumberCards(this.sql, partnerId, filter, cursor, size + 1, this.clock.now());
    const numbers = rows.slice(0, size);
    const next = rows.length > size ? cursorFor(filter.sort, numbers[numbers.length - 1]) : undefined;
    return { numbers, next };
  }

  /** Counts per lifecycle status, total and attention, as last counted (NumberSummaries). */
  summary(partnerId: string): Promise<AccountsSummary> {
    return this.summaries.read(partnerId);
  }

  /** A number of this partner that is still in the hub, or null (unknown, foreign or removed). */
  findVisible(partnerId: string, id: string): Promise<NumberRow | null> {
    return readVisibleNumber(this.sql, partnerId, id);
  }

  /** The number's status history, newest first. */
  history(partnerId: string, numberId: string, limit = 200): Promise<StatusChangeRow[]> {
    return readStatusHistory(this.sql, partnerId, numberId, limit);
  }
}
