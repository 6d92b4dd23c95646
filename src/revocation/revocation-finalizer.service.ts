import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';
import type { NumberStatusChange } from '../accounts/entities/number-status-change.entity';
import { NumberSummaries } from '../accounts/number-summaries.service';
import { AuditService, type AuditInput } from '../audit/audit.service';
import { localDate } from '../common/dates';
import { Lifecycle } from '../common/lifecycle';
import { LOGGER, type Logger } from '../common/logger';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { dialectOf } from '../database/orm.config';
import { Sql, sqlDate } from '../database/sql';
import type { BillingState } from '../statuses';
import { billingChange } from './billing-change';
import { claimDue, countDue, moveBillingState, pickDue, readClaimed, type ClaimedRow, type Transition } from './due-revocations.query';
import { REVOCATION_BATCH_SIZE } from './job-batch';
import { RevocationNotices, type BillingEndedNotice } from './revocation-notices.service';

export interface RunDueResult {
  billingEnded: number;
  removed: number;
}

/**
 * The scheduled job's work: ends billing of every revocation whose termination date has
 * passed, then removes the numbers whose grace period has passed. Every step is a conditional
 * UPDATE whose affected rows decide who made it, so each transition happens exactly once
 * however many instances race for it; its history, audit event and email are written in the
 * same transaction.
 */
@Injectable()
export class RevocationFinalizer {
  constructor(
    private readonly em: EntityManager,
    private readonly sql: Sql,
    private readonly audit: AuditService,
    private readonly notices: RevocationNotices,
    private readonly summaries: NumberSummaries,
    private readonly lifecycle: Lifecycle,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * A missed run catches up (both transitions, in order); several instances share the work; a
   * crash rolls back a batch whole, so the next run does it. A process that is shutting down
   * stops between batches: what is left is due for the next run, here or elsewhere.
   */
  /** The revocations each step is due for at `now` and not yet done: above 0 for long, the job is not running. */
  async countDue(now: Date): Promise<Record<Transition, number>> {
    return { billing_end: await countDue(this.sql, 'billing_end', now), removal: await countDue(this.sql, 'removal', now) };
  }

  async runDue(now: Date, options: { batchSize?: number } = {}): Promise<RunDueResult> {
    const batchSize = options.batchSize ?? REVOCATION_BATCH_SIZE;
    const result: RunDueResult = { billingEnded: 0, removed: 0 };
    for (const transition of ['billing_end', 'removal'] as const) {
      for (;;) {
        if (this.lifecycle.shuttingDown) break;
        const started = performance.now();
        const { candidates, claimed } = await this.runBatch(transition, now, batchSize);
        if (transition === 'billing_end') result.billingEnded += claimed;
        else result.removed += claimed;
        // Fewer than a batch: nothing more is due (or another instance holds the rest).
        if (candidates < batchSize || claimed === 0) break;
        await this.sql.betweenWriteBatches(performance.now() - started);
      }
    }
    if (result.billingEnded || result.removed) {
      this.logger.info({ event: 'revocations.finalized', ...result }, 'revocations finalized');
    }
    return result;
  }

  /**
   * One batch in one transaction: pick due ids (PostgreSQL skips rows another instance holds),
   * claim them with a conditional UPDATE … RETURNING, and write the side effects of exactly
   * the rows this transaction claimed.
   */
  private async runBatch(transition: Transition, now: Date, limit: number): Promise<{ candidates: number; claimed: number }> {
    const skipLocked = dialectOf(this.config) === 'postgresql';
    return this.em.fork().transactional(async (tx) => {
      const candidates = await pickDue(this.sql, tx, transition, now, limit, skipLocked);
      if (!candidates.length) return { candidates: 0, claimed: 0 };
      const claimedIds = await claimDue(this.sql, tx, transition, candidates, now);
      if (!claimedIds.length) return { candidates: candidates.length, claimed: 0 };

      const rows = await readClaimed(this.sql, tx, claimedIds);
      const numberIds = rows.map((r) => r.number_id);
      const partnerIds = rows.map((r) => r.partner_id);
      const [from, to]: [BillingState, BillingState] =
        transition === 'billing_end' ? ['revocation_requested', 'partner_billing_ended'] : ['partner_billing_ended', 'removed'];
      await moveBillingState(this.sql, tx, numberIds, from, to, now);
      // The side effects of a whole batch go in with one multi-row INSERT per table.
      const history: NumberStatusChange[] = [];
      const audit: AuditInput[] = [];
      const notices: BillingEndedNotice[] = [];
      const action = transition === 'billing_end' ? 'revocation.billing_ended' : 'revocation.number_removed';
      const removalDate = removalDates();
      for (const row of rows) {
        // The history records when the change took effect by the contract, so a run that
        // catches up keeps the two transitions in order.
        const effective = sqlDate(transition === 'billing_end' ? row.billing_ends_at : row.remove_at);
        const change = billingChange(tx, row.partner_id, row.number_id, from, to, 'job', effective);
        // insertMany runs no flush: the times are set here.
        change.createdAt = change.updatedAt = now;
        history.push(change);
        audit.push({
          action,
          partnerId: row.partner_id,
          subjectType: 'number',
          subjectId: row.number_id,
          data: { revocationId: row.id, phoneNumber: row.phone_number, clientName: row.client_name, terminationDate: row.termination_date },
        });
        if (transition === 'billing_end') {
          notices.push({
            partnerId: row.partner_id,
            partnerName: row.partner_name,
            contactEmail: row.contact_email,
            clientName: row.client_name,
            phoneNumber: row.phone_number,
            displayName: row.display_name,
            terminationDate: row.termination_date,
            removalDate: removalDate(row),
            timeZone: row.billing_time_zone,
          });
        }
      }
      await tx.insertMany(history);
      await this.audit.recordMany(tx, audit, now);
      await this.notices.billingEnded(tx, notices, now);
      // Removed numbers leave the partners' summary counts; an ended billing changes the counts of a billing filter.
      await this.summaries.markChanged(tx, partnerIds);
      return { candidates: candidates.length, claimed: claimedIds.length };
    });
  }
}

/** Revocations requested the same day share their dates: each is worked out once per batch. */
function removalDates(): (row: ClaimedRow) => string {
  const dates = new Map<string, string>();
  return (row) => {
    const removeAt = sqlDate(row.remove_at);
    const key = `${removeAt.getTime()}|${row.billing_time_zone}`;
    let date = dates.get(key);
    if (date === undefined) dates.set(key, (date = localDate(removeAt, row.billing_time_zone)));
    return date;
  };
}
