import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { Recent } from '../common/recent';
import { SharedRuns } from '../common/shared-runs';
import { Sql } from '../database/sql';
import {
  countSummary,
  markSummariesChanged,
  readDueSummaries,
  readSummary,
  saveSummary,
  type AccountsSummary,
} from './number-summary.query';

/** Partners recounted per run of the job; the next run takes the rest. */
const REFRESH_BATCH = 200;
/**
 * How long after a change its partner is recounted at the latest. A recount of 100,000 numbers
 * holds a SQLite process for some 150 ms: where the jobs run in the HTTP process (one process,
 * the embedded default), a job that changes numbers all along is recounted once per this much
 * time, not at every tick. The counts were as stale with the cache this table replaced.
 */
export const SUMMARY_SETTLE_MS = 30_000;

/**
 * How long a process keeps a partner's stored counts and change counter: every list page
 * needs them, and the jobs process's recount (or another instance's change) shows within
 * this time. A recount or a change marked in this process shows at once.
 */
export const KEEP_SUMMARY_MS = 5_000;

type StoredSummary = { summary: AccountsSummary; changes: number };

/**
 * A partner's summary counts, kept in the number_summary table so that every worker and
 * instance shows the same ones and no page view counts a partner's numbers. A write that
 * changes numbers marks its partners in its own transaction (markChanged); the jobs process
 * recounts what is marked within SUMMARY_SETTLE_MS and a SUMMARY_CRON tick, and what time
 * alone changes (a pending number turns into attention after STUCK_AFTER_DAYS) at that time. The import and the demo
 * seed recount at once after they commit (refresh). A page counts only for a partner that
 * has no row yet, once.
 */
@Injectable()
export class NumberSummaries {
  /** First counts running in this process, so that pages asked for meanwhile wait for the same one. */
  private readonly firstCounts = new SharedRuns<AccountsSummary>();
  private readonly kept = new Recent<StoredSummary>(KEEP_SUMMARY_MS);
  /** Counts recounts and changes marked here: a read they overtook keeps nothing. */
  private updates = 0;
  /** The partners marked in each open transaction: forgotten again once it ends (settled). */
  private readonly marked = new WeakMap<object, Set<string>>();

  constructor(
    private readonly sql: Sql,
    private readonly clock: Clock,
    em: EntityManager,
  ) {
    em.getEventManager().registerSubscriber({
      afterTransactionCommit: ({ transaction }) => this.settled(transaction),
      afterTransactionRollback: ({ transaction }) => this.settled(transaction),
    });
  }

  /** The partner's counts as last counted: a read by primary key, or the first count. */
  async read(partnerId: string): Promise<AccountsSummary> {
    const stored = await this.stored(partnerId);
    if (stored) return stored.summary;
    return this.firstCounts.run(partnerId, () => this.countFirst(partnerId));
  }

  private async countFirst(partnerId: string): Promise<AccountsSummary> {
    const now = this.clock.now();
    const counted = await countSummary(this.sql, partnerId, now);
    await saveSummary(this.sql, partnerId, counted, null, now);
    return counted.summary;
  }

  /**
   * The partner's change counter: it moves with every change marked (markChanged), so what was
   * counted for an older value may be out of date. Null before the partner's first count.
   */
  async changes(partnerId: string): Promise<number | null> {
    return (await this.stored(partnerId))?.changes ?? null;
  }

  /** The partner's stored row, as kept or read (null before its first count). */
  private async stored(partnerId: string): Promise<StoredSummary | null> {
    const now = this.clock.now().getTime();
    const kept = this.kept.get(partnerId, now);
    if (kept) return kept;
    const updates = this.updates;
    const stored = await readSummary(this.sql, partnerId);
    if (stored && updates === this.updates) this.kept.set(partnerId, stored, now);
    return stored;
  }

  private forget(partnerIds: Iterable<string>): void {
    this.updates++;
    for (const id of partnerIds) this.kept.delete(id);
  }

  /**
   * Call in the transaction that changed these partners' numbers: they are recounted within
   * SUMMARY_SETTLE_MS of it. What this process keeps of them is forgotten now and again when
   * the transaction ends: a page that read the old counter meanwhile does not keep it.
   */
  async markChanged(em: EntityManager, partnerIds: string[]): Promise<void> {
    const now = this.clock.now();
    this.forget(partnerIds);
    const transaction = em.getTransactionContext<object>();
    if (transaction) this.marked.set(transaction, new Set([...(this.marked.get(transaction) ?? []), ...partnerIds]));
    await markSummariesChanged(this.sql, em, [...new Set(partnerIds)], now, new Date(now.getTime() + SUMMARY_SETTLE_MS));
  }

  /**
   * A transaction ended: what it marked is read again. MikroORM tells for the outermost one only,
   * so a change marked in a nested transaction is forgotten at the mark alone (no caller nests).
   */
  private settled(transaction: object | undefined): void {
    const partnerIds = transaction && this.marked.get(transaction);
    if (!partnerIds) return;
    this.marked.delete(transaction);
    this.forget(partnerIds);
  }

  /** Recounts these partners now, outside any transaction (after the write committed). */
  async refresh(partnerIds: string[], now = this.clock.now()): Promise<void> {
    for (const partnerId of new Set(partnerIds)) {
      const stored = await readSummary(this.sql, partnerId);
      await saveSummary(this.sql, partnerId, await countSummary(this.sql, partnerId, now), stored?.changes ?? null, now);
      this.forget([partnerId]);
    }
  }

  /** The job: recounts the partners whose counts are due as of `now`; returns how many. */
  async refreshDue(now: Date): Promise<number> {
    const due = await readDueSummaries(this.sql, now, REFRESH_BATCH);
    await this.refresh(due, now);
    return due.length;
  }

  /** Recounts every summary due, a batch at a time (`jobs:run summaries`); returns how many. */
  async refreshAllDue(now: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const counted = await this.refreshDue(now);
      total += counted;
      if (counted < REFRESH_BATCH) return total;
    }
  }
}
