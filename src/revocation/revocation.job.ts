import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../common/clock';
import { LOGGER, type Logger } from '../common/logger';
import { scheduleJob } from '../common/schedule';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { RevocationService } from './revocation.service';

/**
 * The thin trigger: every REVOCATION_CRON tick finalizes the due revocations as of the
 * clock's now. Registered at start so the expression comes from the configuration, and only
 * when JOBS_ENABLED; `jobs:run revocations` and the tests call the service themselves.
 */
@Injectable()
export class RevocationJob implements OnApplicationBootstrap {
  constructor(
    private readonly revocations: RevocationService,
    private readonly registry: SchedulerRegistry,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap() {
    if (this.config.jobs.enabled) {
      scheduleJob(this.registry, 'revocations', this.config.jobs.revocationCron, () => this.tick(), this.logger);
    }
  }

  tick() {
    return this.revocations.runDue(this.clock.now());
  }
}
