import type { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import type { Logger } from './logger';

/** One finished run of a scheduled job, for whoever watches (the metrics). */
export interface JobRun {
  name: string;
  ok: boolean;
  /** When it ended, and how long it took. */
  endedAt: Date;
  durationMs: number;
}
export type JobRunListener = (run: JobRun) => void;

/**
 * Per app (its SchedulerRegistry), so that test apps in one process stay apart: who watches the
 * runs, and the run each job has going now (awaited at shutdown).
 */
const listeners = new WeakMap<SchedulerRegistry, Set<JobRunListener>>();
const current = new WeakMap<CronJob, () => Promise<void> | undefined>();

/** Calls `listener` after every run of every job scheduled on `registry`. */
export function watchJobRuns(registry: SchedulerRegistry, listener: JobRunListener): void {
  const set = listeners.get(registry) ?? new Set<JobRunListener>();
  set.add(listener);
  listeners.set(registry, set);
}

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
  let running: Promise<void> | undefined;
  const once = async () => {
    const started = performance.now();
    let ok = true;
    try {
      await run();
    } catch (err) {
      ok = false;
      logger.error({ event: `${name}.run_failed`, err }, `${name} run failed`);
    }
    const report: JobRun = { name, ok, endedAt: new Date(), durationMs: performance.now() - started };
    for (const listener of listeners.get(registry) ?? []) {
      try {
        listener(report);
      } catch (err) {
        logger.error({ event: 'job.listener_failed', job: name, err }, 'job run listener failed');
      }
    }
  };
  const job = CronJob.from({
    cronTime,
    start: true,
    onTick: async () => {
      if (running) return;
      running = once().finally(() => (running = undefined));
      await running;
    },
  });
  current.set(job, () => running);
  registry.addCronJob(name, job);
}

/**
 * Stops every scheduled job (no new tick starts) and waits for the runs in progress: a batch
 * finishes its claimed rows instead of being cut at shutdown.
 */
export async function stopJobs(registry: SchedulerRegistry): Promise<void> {
  const jobs = [...registry.getCronJobs().values()];
  for (const job of jobs) void job.stop();
  await Promise.all(jobs.map((job) => current.get(job)?.()));
}
