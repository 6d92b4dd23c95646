import { Inject, Injectable } from '@nestjs/common';
import { IdempotencyService } from '../api/idempotency.service';
import { LOGGER, type Logger } from '../common/logger';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { Sql } from '../database/sql';
import { RateLimiter } from '../throttle';

/**
 * Rows per DELETE. Each statement commits on its own, so a backlog of any size never holds a
 * long lock: on SQLite (one writer at a time) the requests served beside the job wait for one
 * batch at most.
 */
export const HOUSEKEEPING_BATCH_SIZE = 1000;

export interface HousekeepingResult {
  sessions: number;
  tokens: number;
  rateLimits: number;
  emails: number;
  idempotencyKeys: number;
}

// Each rule picks at most `limit` rows and deletes them in the same statement, so the
// condition is checked as the rows go: running on several instances at once deletes nothing
// twice and nothing that stopped matching.

/** Past the idle or the absolute limit: the store refuses these already. */
const EXPIRED_SESSIONS = `delete from session where sid in (
  select sid from session where expires_at <= ? or absolute_expires_at <= ? limit ?)`;

/**
 * Used or expired longer ago than the retention, and no pending email's link: the worker makes
 * that link's secret when it sends, and would find the token gone (`on delete set null`).
 */
const OLD_TOKENS = `delete from user_token where id in (
  select t.id from user_token t
  where (t.consumed_at <= ? or t.expires_at <= ?)
    and not exists (select 1 from outbox_email o where o.token_id = t.id and o.status = 'pending')
  limit ?)`;

/**
 * Sent, or given up (dead, its last attempt due then), longer ago than the retention. Pending
 * emails always stay. `mail:status` lists the dead ones until then.
 */
const OLD_EMAILS = `delete from outbox_email where id in (
  select id from outbox_email
  where (status = 'sent' and sent_at <= ?) or (status = 'dead' and next_attempt_at <= ?)
  limit ?)`;

/**
 * Deletes what nothing needs any more: expired sessions, used and expired tokens and sent or
 * dead emails past their retention, rate-limit counters whose window ended, and the Partner
 * API's Idempotency-Keys past their 24 hours. Everything is decided against `now`, so the job,
 * `jobs:run housekeeping` and the tests run the same code.
 */
@Injectable()
export class HousekeepingService {
  constructor(
    private readonly sql: Sql,
    private readonly limiter: RateLimiter,
    private readonly idempotency: IdempotencyService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async run(now: Date, options: { batchSize?: number } = {}): Promise<HousekeepingResult> {
    const batchSize = options.batchSize ?? HOUSEKEEPING_BATCH_SIZE;
    const mailCutoff = new Date(now.getTime() - this.config.retention.sentMailMs);
    const tokenCutoff = new Date(now.getTime() - this.config.retention.tokensMs);
    // Emails before tokens: a sent email's token is then no longer referenced by it.
    const result: HousekeepingResult = {
      emails: await this.sql.deleteInBatches(OLD_EMAILS, [mailCutoff, mailCutoff], batchSize),
      tokens: await this.sql.deleteInBatches(OLD_TOKENS, [tokenCutoff, tokenCutoff], batchSize),
      sessions: await this.sql.deleteInBatches(EXPIRED_SESSIONS, [now, now], batchSize),
      rateLimits: await this.limiter.prune(now, batchSize),
      idempotencyKeys: await this.idempotency.prune(now, batchSize),
    };
    if (Object.values(result).some((n) => n > 0)) {
      this.logger.info({ event: 'housekeeping.pruned', ...result }, 'housekeeping pruned old rows');
    }
    return result;
  }
}
