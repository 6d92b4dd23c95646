import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { Clock } from '../common/clock';
import { LOGGER, type Logger } from '../common/logger';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { RevocationService } from './revocation.service';

/**
 * The thin trigger: every REVOCATION_CRON tick finalizes the due revocations as of the
 * clock's now. Registered at start so the expression comes from the configuration, and only
 * when JOBS_ENABLED; `jobs:run revocations` and the tests call the service themselves.
 */
@Injectable()
export class RevocationJob implements OnApplicationBootstrap {
  private running = false;

  constructor(
    private readonly revocations: RevocationService,
    private readonly registry: SchedulerRegistry,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap() {
    if (!this.config.jobs.enabled) return;
    const job = CronJob.from({ cronTime: this.config.jobs.revocationCron, onTick: () => this.tick(), start: true });
    this.registry.addCronJob('revocations', job);
  }

  async tick(): Promise<void> {
    // One run at a time in this process; other instances are kept apart by the conditional updates.
    if (this.running) return;
    this.running = true;
    try {
      await this.revocations.runDue(this.clock.now());
    } catch (err) {
      this.logger.error({ event: 'revocations.run_failed', err }, 'revocation run failed');
    } finally {
      this.running = false;
    }
  }
}
