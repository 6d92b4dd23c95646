import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../common/clock';
import { LOGGER, type Logger } from '../common/logger';
import { scheduleJob } from '../common/schedule';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { HousekeepingService } from './housekeeping.service';

/**
 * The thin trigger: every HOUSEKEEPING_CRON tick prunes as of the clock's now. Registered at
 * start so the expression comes from the configuration, and only when JOBS_ENABLED;
 * `jobs:run housekeeping` and the tests call the service themselves. Every instance may run
 * it: a row deleted twice is deleted once.
 */
@Injectable()
export class HousekeepingJob implements OnApplicationBootstrap {
  constructor(
    private readonly housekeeping: HousekeepingService,
    private readonly registry: SchedulerRegistry,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap() {
    if (this.config.jobs.enabled) {
      scheduleJob(this.registry, 'housekeeping', this.config.jobs.housekeepingCron, () => this.tick(), this.logger);
    }
  }

  tick() {
    return this.housekeeping.run(this.clock.now());
  }
}
