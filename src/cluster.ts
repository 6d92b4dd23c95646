import cluster, { type Worker } from 'node:cluster';
import { setPriority } from 'node:os';
import { AggregatorRegistry } from 'prom-client';
import type { Logger } from './common/logger';

/** Set by the primary on each process it starts: its role and, for HTTP workers, its index. */
const ROLE_VAR = 'HUB_PROCESS_ROLE';
const INDEX_VAR = 'HUB_WORKER_INDEX';
/** What the jobs process sends its primary once its start-up tasks are done. */
const READY = 'hub:jobs-ready';
/** What an HTTP worker asks the primary for a scrape of /metrics, and the answer. */
const METRICS_REQUEST = 'hub:metrics-request';
const METRICS_ANSWER = 'hub:metrics-answer';
/** A scrape waits this long for the primary (which waits up to 5 s for every process). */
const METRICS_WAIT_MS = 7_000;

/**
 * A process that dies is started again after a pause that doubles while it keeps dying soon
 * after each start (a database that is down, a bad deploy): 1 s, 2 s, 4 s … at most 60 s. Once
 * it has run for STABLE_AFTER_MS, its next death starts again at 1 s.
 */
export const RESTART_BACKOFF = { firstMs: 1_000, maxMs: 60_000, stableAfterMs: 60_000 };
/** How long the processes get to finish their work after SIGTERM before they are killed. */
const STOP_TIMEOUT_MS = 30_000;

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

/**
 * An HTTP worker's way to the whole cluster's metrics: the primary asks every process for its
 * registry (prom-client's AggregatorRegistry) and answers with the sum.
 */
export function askPrimaryForMetrics(): Promise<string> {
  return new Promise((resolve, reject) => {
    const id = `${process.pid}-${++metricsAsked}`;
    const onMessage = (msg: { type?: string; id?: string; text?: string; error?: string }) => {
      if (msg?.type !== METRICS_ANSWER || msg.id !== id) return;
      done();
      if (msg.error !== undefined) reject(new Error(msg.error));
      else resolve(msg.text ?? '');
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error('the primary did not answer'));
    }, METRICS_WAIT_MS);
    const done = () => {
      clearTimeout(timer);
      process.off('message', onMessage);
    };
    process.on('message', onMessage);
    process.send!({ type: METRICS_REQUEST, id });
  });
}
let metricsAsked = 0;

export interface StartOptions {
  /** SIGKILL for a process still running this long after SIGTERM (default STOP_TIMEOUT_MS). */
  stopTimeoutMs?: number;
  /** The restart pauses (default RESTART_BACKOFF). */
  backoff?: typeof RESTART_BACKOFF;
}

export interface Workers {
  /** The jobs process, or HTTP worker `index` (1…count), as it runs now. */
  get(which: 'jobs' | number): Worker | undefined;
  /**
   * Stops every process (SIGTERM, then SIGKILL after the stop timeout); resolves when all
   * exited: true when each finished its work and exited with 0.
   */
  stop(): Promise<boolean>;
}

/**
 * The primary process (node:cluster). It starts the jobs process first and waits for its
 * start-up tasks (migrations in development, the demo seed), then `count` HTTP workers that
 * share the listening socket (the primary hands out the connections). A process that dies is
 * started again in the same role. Resolves when every HTTP worker listens; rejects, stopping
 * the others, when a process dies before it was ready (a bad database, a port in use).
 * A process that keeps dying is started again after longer and longer pauses (RESTART_BACKOFF).
 * `exec` is the processes' script: the primary's own by default.
 */
export function startWorkers(count: number, logger: Logger, exec?: string, options: StartOptions = {}): Promise<Workers> {
  const { stopTimeoutMs = STOP_TIMEOUT_MS, backoff = RESTART_BACKOFF } = options;
  const byName = new Map<string, Worker>();
  /** Per role: the pause before its next start, doubled by each death soon after a start. */
  const nextDelay = new Map<string, number>();
  const restartTimers = new Set<NodeJS.Timeout>();
  let stopping = false;

  // The first start of each process settles the promise; a replacement only logs.
  const fork = (name: string, first: boolean): Promise<void> =>
    new Promise((resolve, reject) => {
      const jobs = name === 'jobs';
      cluster.setupPrimary({ ...(exec ? { exec } : {}), execArgv: [...process.execArgv, ...(jobs ? JOBS_PROCESS_FLAGS : [])] });
      const worker = cluster.fork(jobs ? { [ROLE_VAR]: 'jobs' } : { [ROLE_VAR]: 'web', [INDEX_VAR]: name });
      if (jobs) setPriority(worker.process.pid!, JOBS_PROCESS_NICE);
      byName.set(name, worker);
      const startedAt = Date.now();
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
        const ranFine = Date.now() - startedAt >= backoff.stableAfterMs;
        const delayMs = ranFine ? backoff.firstMs : (nextDelay.get(name) ?? backoff.firstMs);
        nextDelay.set(name, Math.min(delayMs * 2, backoff.maxMs));
        logger.error(
          { event: 'worker.died', worker: name, code, signal, restartInMs: delayMs },
          `hub process died; starting another in ${delayMs / 1000} s`,
        );
        const timer = setTimeout(() => {
          restartTimers.delete(timer);
          if (!stopping) void fork(name, false);
        }, delayMs);
        restartTimers.add(timer);
      });
    });

  // A scrape of /metrics on one HTTP worker: every process's registry, summed.
  const aggregator = new AggregatorRegistry();
  const onMessage = (worker: Worker, msg: { type?: string; id?: string }) => {
    if (msg?.type !== METRICS_REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.isConnected() && worker.send({ type: METRICS_ANSWER, id: msg.id, text }),
      (err: Error) => worker.isConnected() && worker.send({ type: METRICS_ANSWER, id: msg.id, error: err.message }),
    );
  };
  cluster.on('message', onMessage);

  const stop = async () => {
    stopping = true;
    cluster.off('message', onMessage);
    for (const timer of restartTimers) clearTimeout(timer);
    const running = [...byName.values()].filter((w) => !w.isDead());
    const exits = running.map((w) => new Promise<boolean>((resolve) => w.once('exit', (code, signal) => resolve(code === 0 && !signal))));
    for (const w of running) w.process.kill('SIGTERM');
    const kill = setTimeout(() => {
      for (const w of running) if (!w.isDead()) w.process.kill('SIGKILL');
    }, stopTimeoutMs);
    const clean = await Promise.all(exits);
    clearTimeout(kill);
    return clean.every(Boolean);
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
