import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { LOGGER, type Logger } from '../common/logger';
import { scheduleJob } from '../common/schedule';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DatabaseClock } from '../database/database-clock';
import { RevocationFinalizer } from './revocation-finalizer.service';

/**
 * The thin trigger: every REVOCATION_CRON tick finalizes the due revocations as of the
 * database clock's now (on PostgreSQL the database's time, so an instance whose clock runs
 * ahead cannot end billing before the withdrawal window closes; on SQLite the injected clock).
 * Registered at start so the expression comes from the configuration, and only when
 * JOBS_ENABLED; `jobs:run revocations` and the tests call the finalizer themselves.
 */
@Injectable()
export class RevocationJob implements OnApplicationBootstrap {
  constructor(
    private readonly finalizer: RevocationFinalizer,
    private readonly registry: SchedulerRegistry,
    private readonly dbClock: DatabaseClock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap() {
    if (this.config.jobs.enabled) {
      scheduleJob(this.registry, 'revocations', this.config.jobs.revocationCron, () => this.tick(), this.logger);
    }
  }

  async tick() {
    return this.finalizer.runDue(await this.dbClock.now());
  }
}
