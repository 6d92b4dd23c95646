import { Inject, Injectable } from '@nestjs/common';
import { IdempotencyService } from '../api/idempotency.service';
import { AuthService } from '../auth/auth.service';
import { TokensService } from '../auth/tokens.service';
import { LOGGER, type Logger } from '../common/logger';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { OutboxService } from '../mail/outbox.service';
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

/**
 * Deletes what nothing needs any more: expired sessions, used and expired tokens and sent or
 * dead emails past their retention, rate-limit counters whose window ended, and the Partner
 * API's Idempotency-Keys past their 24 hours. Everything is decided against `now`, so the job,
 * `jobs:run housekeeping` and the tests run the same code.
 */
@Injectable()
export class HousekeepingService {
  constructor(
    private readonly auth: AuthService,
    private readonly tokens: TokensService,
    private readonly outbox: OutboxService,
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
      emails: await this.outbox.prune(mailCutoff, batchSize),
      tokens: await this.tokens.prune(tokenCutoff, batchSize),
      sessions: await this.auth.pruneExpiredSessions(now, batchSize),
      rateLimits: await this.limiter.prune(now, batchSize),
      idempotencyKeys: await this.idempotency.prune(now, batchSize),
    };
    if (Object.values(result).some((n) => n > 0)) {
      this.logger.info({ event: 'housekeeping.pruned', ...result }, 'housekeeping pruned old rows');
    }
    return result;
  }
}
