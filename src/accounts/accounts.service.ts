import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { BackgroundReads } from '../database/background-reads';
import { PreparedSql } from '../database/prepared-sql';
import type { FamilyKey } from '../statuses/catalogue';
import type { ChangeSource, NumberStatusChange } from './entities/number-status-change.entity';
import { CARD_ROW_SQL, NUMBER_ROW_SQL, toCardRow, toNumberRow, type CardRow, type NumberRow } from './number-row';
import { cursorFor, keysetSql, numberWhere, type Cursor, type NumberFilter } from './number-filter';

export const PAGE_SIZE = 24;
/** Summary counts are reused this long: they would otherwise cost a scan per page view. */
export const SUMMARY_TTL_MS = 30_000;
const SUMMARY_CACHE_MAX = 1_000;

export interface AccountsPage {
  numbers: CardRow[];
  /** The cursor of the next page, when there is one. */
  next?: string;
}

/** One entry of a number's status history, as the details page shows it. */
export type StatusChangeRow = Pick<NumberStatusChange, 'family' | 'fromValue' | 'toValue' | 'source' | 'changedAt'>;

export interface AccountsSummary {
  /** Numbers per lifecycle status, removed numbers left out. */
  byStatus: Record<string, number>;
  total: number;
  attention: number;
}

/** Reads a partner's numbers for the WhatsApp Accounts pages. Every query is scoped by partner. */
@Injectable()
export class AccountsService {
  /**
   * Per-process cache of the summary, keyed by partner. It holds nothing another instance
   * needs: a miss just recomputes. Its age is read from the injected clock.
   */
  private readonly summaries = new Map<string, { at: number; value: AccountsSummary }>();
  /** The recount running per partner: one at a time, however many pages ask meanwhile. */
  private readonly recounts = new Map<string, Promise<AccountsSummary>>();

  constructor(
    private readonly sql: PreparedSql,
    private readonly background: BackgroundReads,
    private readonly clock: Clock,
  ) {}

  /**
   * One page in the filter's sort order, after the cursor: keyset pagination on the
   * (partner, key, id) index, so a deep page costs what the first one does. One row more
   * than the page tells whether a next page exists, without counting.
   */
  async page(partnerId: string, filter: NumberFilter, cursor: Cursor | undefined, size = PAGE_SIZE): Promise<AccountsPage> {
    const page = keysetSql(numberWhere(partnerId, filter, this.clock.now()), cursor, size + 1, filter.sort);
    const rows = await this.sql.all<Record<string, unknown>>(`${CARD_ROW_SQL} ${page.sql}`, page.params);
    const numbers = rows.slice(0, size).map(toCardRow);
    const next = rows.length > size ? cursorFor(filter.sort, numbers[numbers.length - 1]) : undefined;
    return { numbers, next };
  }

  /**
   * Counts per lifecycle status (one grouped count on the (partner, status) index, minus the
   * few removed numbers found through the (partner, billing state) index) and the number that
   * need attention. Cached briefly per partner: the counts may lag a change by SUMMARY_TTL_MS.
   * When they expire, one request recounts; the pages asked for meanwhile show the previous
   * counts instead of each starting the same scan (which, under load, stalled every page).
   * The counts run as background reads: on SQLite, beside the event loop, not on it.
   */
  async summary(partnerId: string): Promise<AccountsSummary> {
    const now = this.clock.now();
    const cached = this.summaries.get(partnerId);
    if (cached && now.getTime() - cached.at < SUMMARY_TTL_MS && now.getTime() >= cached.at) return cached.value;
    const running = this.recounts.get(partnerId);
    if (running) return cached?.value ?? running;
    const recount = this.count(partnerId, now).finally(() => this.recounts.delete(partnerId));
    this.recounts.set(partnerId, recount);
    return recount;
  }

  private async count(partnerId: string, now: Date): Promise<AccountsSummary> {
    const all = await this.background.all<{ status: string; n: number | string }>(
      'select status, count(*) as n from whatsapp_number where partner_id = ? group by status',
      [partnerId],
    );
    // Counted here, not grouped in SQL: with a GROUP BY, SQLite walks the (partner, status)
    // index over every number of the partner (75 ms at 100,000) instead of this one.
    const removed = await this.background.all<{ status: string }>(
      "select status from whatsapp_number where partner_id = ? and billing_state = 'removed'",
      [partnerId],
    );
    const byStatus: Record<string, number> = {};
    for (const row of all) byStatus[row.status] = Number(row.n);
    for (const row of removed) byStatus[row.status] = (byStatus[row.status] ?? 0) - 1;
    const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
    const attention = total === 0 ? 0 : await this.countAttention(partnerId, now);
    const value = { byStatus, total, attention };
    if (this.summaries.size >= SUMMARY_CACHE_MAX) this.summaries.clear();
    this.summaries.set(partnerId, { at: now.getTime(), value });
    return value;
  }

  private async countAttention(partnerId: string, now: Date): Promise<number> {
    const where = numberWhere(partnerId, { status: {}, attention: true, sort: 'newest' }, now);
    // The attention rule reads the number and its WABA account only.
    const [row] = await this.background.all<{ n: number | string }>(
      `select count(*) as n from whatsapp_number n join waba_account w on w.id = n.waba_account_id where ${where.sql}`,
      where.params,
    );
    return Number(row.n);
  }

  /** A number of this partner that is still in the hub, or null (unknown, foreign or removed). */
  async findVisible(partnerId: string, id: string): Promise<NumberRow | null> {
    const [row] = await this.sql.all<Record<string, unknown>>(
      `${NUMBER_ROW_SQL} where n.id = ? and n.partner_id = ? and n.billing_state <> 'removed'`,
      [id, partnerId],
    );
    return row ? toNumberRow(row) : null;
  }

  /** The number's status history, newest first. */
  async history(partnerId: string, numberId: string, limit = 200): Promise<StatusChangeRow[]> {
    const rows = await this.sql.all<{
      family: FamilyKey;
      from_value: string | null;
      to_value: string;
      source: ChangeSource;
      changed_at: Date | number;
    }>(
      `select family, from_value, to_value, source, changed_at from number_status_change
        where partner_id = ? and number_id = ? order by changed_at desc, id desc limit ?`,
      [partnerId, numberId, limit],
    );
    return rows.map((r) => ({
      family: r.family,
      fromValue: r.from_value,
      toValue: r.to_value,
      source: r.source,
      changedAt: new Date(r.changed_at),
    }));
  }
}
