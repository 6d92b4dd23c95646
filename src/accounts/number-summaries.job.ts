import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../common/clock';
import { LOGGER, type Logger } from '../common/logger';
import { scheduleJob } from '../common/schedule';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { NumberSummaries } from './number-summaries.service';

/**
 * The thin trigger: every SUMMARY_CRON tick recounts the summaries that are due as of the
 * clock's now (the time the list's attention filter uses). Registered at start so the
 * expression comes from the configuration, and only when JOBS_ENABLED; the tests call the
 * service themselves. Every instance may run it: a summary counted twice is the same.
 */
@Injectable()
export class NumberSummariesJob implements OnApplicationBootstrap {
  constructor(
    private readonly summaries: NumberSummaries,
    private readonly registry: SchedulerRegistry,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap() {
    if (this.config.jobs.enabled) scheduleJob(this.registry, 'summaries', this.config.jobs.summaryCron, () => this.tick(), this.logger);
  }

  tick() {
    return this.summaries.refreshDue(this.clock.now());
  }
}
