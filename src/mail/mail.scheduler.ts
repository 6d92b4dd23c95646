import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { LOGGER, type Logger } from '../common/logger';
import { scheduleJob } from '../common/schedule';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DatabaseClock } from '../database/database-clock';
import { MailWorker } from './mail-worker.service';

/**
 * The thin trigger: every MAIL_CRON tick calls the worker with the database clock's now (on
 * PostgreSQL the database's time, so that instances whose clocks disagree keep to the same
 * leases; on SQLite the injected clock). Registered at
 * start (not with @Cron) so that the expression comes from the configuration, and only when
 * JOBS_ENABLED: commands and tests call the worker themselves.
 */
@Injectable()
export class MailScheduler implements OnApplicationBootstrap {
  constructor(
    private readonly worker: MailWorker,
    private readonly registry: SchedulerRegistry,
    private readonly dbClock: DatabaseClock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap() {
    if (this.config.jobs.enabled) scheduleJob(this.registry, 'mail', this.config.jobs.mailCron, () => this.tick(), this.logger);
  }

  async tick() {
    return this.worker.sendDue(await this.dbClock.now());
  }
}
