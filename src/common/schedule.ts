import type { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import type { Logger } from './logger';

/**
 * Starts a job on a cron expression (validated with the configuration). A tick that finds the
 * previous run still going is skipped: one run at a time in this process; other instances
 * are kept apart by the jobs' own row claims.
 */
export function scheduleJob(
  registry: SchedulerRegistry,
  name: string,
  cronTime: string,
  run: () => Promise<unknown>,
  logger: Logger,
): void {
  let running = false;
  const job = CronJob.from({
    cronTime,
    start: true,
    onTick: async () => {
      if (running) return;
      running = true;
      try {
        await run();
      } catch (err) {
        logger.error({ event: `${name}.run_failed`, err }, `${name} run failed`);
      } finally {
        running = false;
      }
    },
  });
  registry.addCronJob(name, job);
}
