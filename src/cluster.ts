import cluster, { type Worker } from 'node:cluster';
import { setPriority } from 'node:os';
import type { Logger } from './common/logger';

/** Set by the primary on each process it starts: its role and, for HTTP workers, its index. */
const ROLE_VAR = 'HUB_PROCESS_ROLE';
const INDEX_VAR = 'HUB_WORKER_INDEX';
/** What the jobs process sends its primary once its start-up tasks are done. */
const READY = 'hub:jobs-ready';
/** A process that dies is started again after this pause (no tight loop on a crash at start). */
const RESTART_DELAY_MS = 1_000;
/** How long the processes get to finish their work after SIGTERM before they are killed. */
const STOP_TIMEOUT_MS = 15_000;

/**
 * The jobs process runs batch work (the revocation job, the outbox) and serves no request:
 * V8's memory-over-speed mode keeps its peak memory low (see the README's bench section),
 * and a lower CPU priority (nice) lets the HTTP workers go first when the cores are busy.
 */
export const JOBS_PROCESS_FLAGS = ['--optimize-for-size'];
const JOBS_PROCESS_NICE = 10;

/**
 * What this process does. `all`: the hub in one process (WEB_CONCURRENCY=1): start-up tasks,
 * scheduled jobs and HTTP. With more workers the primary only supervises; one `jobs` process
 * runs the start-up tasks and the scheduled jobs, and `web` workers serve HTTP.
 */
export type ProcessRole = 'all' | 'jobs' | 'web';

export function processRole(): ProcessRole {
  return cluster.isWorker ? (process.env[ROLE_VAR] as ProcessRole) : 'all';
}

/** Tells the primary that the jobs process is done with its start-up tasks. */
export function reportJobsReady(): void {
  process.send?.(READY);
}

export interface Workers {
  /** The jobs process, or HTTP worker `index` (1…count), as it runs now. */
  get(which: 'jobs' | number): Worker | undefined;
  /** Stops every process (SIGTERM, then SIGKILL after STOP_TIMEOUT_MS); resolves when all exited. */
  stop(): Promise<void>;
}

/**
 * The primary process (node:cluster). It starts the jobs process first and waits for its
 * start-up tasks (migrations in development, the demo seed), then `count` HTTP workers that
 * share the listening socket (the primary hands out the connections). A process that dies is
 * started again in the same role. Resolves when every HTTP worker listens; rejects, stopping
 * the others, when a process dies before it was ready (a bad database, a port in use).
 * `exec` is the processes' script: the primary's own by default.
 */
export function startWorkers(count: number, logger: Logger, exec?: string): Promise<Workers> {
  const byName = new Map<string, Worker>();
  let stopping = false;

  // The first start of each process settles the promise; a replacement only logs.
  const fork = (name: string, first: boolean): Promise<void> =>
    new Promise((resolve, reject) => {
      const jobs = name === 'jobs';
      cluster.setupPrimary({ ...(exec ? { exec } : {}), execArgv: [...process.execArgv, ...(jobs ? JOBS_PROCESS_FLAGS : [])] });
      const worker = cluster.fork(jobs ? { [ROLE_VAR]: 'jobs' } : { [ROLE_VAR]: 'web', [INDEX_VAR]: name });
      if (jobs) setPriority(worker.process.pid!, JOBS_PROCESS_NICE);
      byName.set(name, worker);
      let ready = false;
      const onReady = () => {
        ready = true;
        resolve();
      };
      if (jobs) worker.on('message', (msg) => msg === READY && onReady());
      else worker.once('listening', onReady);
      worker.once('exit', (code, signal) => {
        if (byName.get(name) === worker) byName.delete(name);
        // With JOBS_ENABLED=false the jobs process ends after the start-up tasks.
        if (stopping || (jobs && ready && code === 0)) return;
        if (first && !ready)
          return reject(new Error(`the ${jobs ? 'jobs process' : `HTTP worker ${name}`} exited (${signal ?? code}) before it was ready`));
        logger.error({ event: 'worker.died', worker: name, code, signal }, 'hub process died; starting another');
        setTimeout(() => void (stopping || fork(name, false)), RESTART_DELAY_MS);
      });
    });

  const stop = async () => {
    stopping = true;
    const running = [...byName.values()].filter((w) => !w.isDead());
    const exits = running.map((w) => new Promise<void>((resolve) => w.once('exit', () => resolve())));
    for (const w of running) w.process.kill('SIGTERM');
    const kill = setTimeout(() => {
      for (const w of running) if (!w.isDead()) w.process.kill('SIGKILL');
    }, STOP_TIMEOUT_MS);
    await Promise.all(exits);
    clearTimeout(kill);
  };

  return (async () => {
    try {
      await fork('jobs', true);
      await Promise.all(Array.from({ length: count }, (_, i) => fork(String(i + 1), true)));
    } catch (err) {
      await stop();
      throw err;
    }
    return { get: (which: 'jobs' | number) => byName.get(String(which)), stop };
  })();
}
