import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { Clock } from '../common/clock';
import { LOGGER, type Logger } from '../common/logger';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { MailWorker } from './mail-worker.service';

/**
 * The thin trigger: every MAIL_CRON tick calls the worker with the clock's now. Registered at
 * start (not with @Cron) so that the expression comes from the configuration, and only when
 * JOBS_ENABLED: commands and tests call the worker themselves.
 */
@Injectable()
export class MailScheduler implements OnApplicationBootstrap {
  private running = false;

  constructor(
    private readonly worker: MailWorker,
    private readonly registry: SchedulerRegistry,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap() {
    if (!this.config.jobs.enabled) return;
    let job: CronJob;
    try {
      job = CronJob.from({ cronTime: this.config.jobs.mailCron, onTick: () => this.tick(), start: false });
    } catch (err) {
      throw new Error(`MAIL_CRON: not a cron expression (${err instanceof Error ? err.message : String(err)})`);
    }
    this.registry.addCronJob('mail', job);
    job.start();
  }

  async tick(): Promise<void> {
    // One run at a time in this process; other instances are kept off rows by the claims.
    if (this.running) return;
    this.running = true;
    try {
      await this.worker.sendDue(this.clock.now());
    } catch (err) {
      this.logger.error({ event: 'mail.run_failed', err }, 'mail run failed');
    } finally {
      this.running = false;
    }
  }
}
