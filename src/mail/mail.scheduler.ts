import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../common/clock';
import { LOGGER, type Logger } from '../common/logger';
import { scheduleJob } from '../common/schedule';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { MailWorker } from './mail-worker.service';

/**
 * The thin trigger: every MAIL_CRON tick calls the worker with the clock's now. Registered at
 * start (not with @Cron) so that the expression comes from the configuration, and only when
 * JOBS_ENABLED: commands and tests call the worker themselves.
 */
@Injectable()
export class MailScheduler implements OnApplicationBootstrap {
  constructor(
    private readonly worker: MailWorker,
    private readonly registry: SchedulerRegistry,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap() {
    if (this.config.jobs.enabled) scheduleJob(this.registry, 'mail', this.config.jobs.mailCron, () => this.tick(), this.logger);
  }

  tick() {
    return this.worker.sendDue(this.clock.now());
  }
}
