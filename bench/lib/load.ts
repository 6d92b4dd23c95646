import { PROXY_HEADERS } from './http';

/** What one autocannon run measured, over its steady state (after the warm-up). */
export interface LoadResult {
  label: string;
  connections: number;
  /** Seconds measured (after the warm-up). */
  seconds: number;
  requests: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Over the whole run, warm-up included: any of these fails the bench. */
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Slowest answer of the whole run, warm-up included (new connections wait longest). */
  maxWithWarmup: number;
}

interface Tracker extends PromiseLike<unknown> {
  stop(): void;
  on(event: 'response', fn: (client: unknown, status: number, bytes: number, ms: number) => void): void;
  on(event: 'reqError' | 'timeout', fn: () => void): void;
}
// autocannon ships no types; this is the part of its API the bench uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Tracker;

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : 0;

/**
 * Loads one server on 127.0.0.1 with `connections` keep-alive connections: a warm-up, then
 * `seconds` measured, in one run, so that the measured part runs on connections already open
 * (the first request of a connection also waits for the server to accept it, seconds at times
 * when the server is busy: that is start-up, not steady state). Every request carries the
 * session cookie (when given), the other `headers` (an API key) and `X-Forwarded-Proto: https`;
 * several paths are taken in turn.
 * With `during`, it is started when the warm-up ends and the measurement lasts until it settles.
 */
export async function load(opts: {
  label: string;
  base: string;
  paths: string[];
  cookie?: string;
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
  warmup: number;
  during?: () => Promise<unknown>;
}): Promise<LoadResult & { during?: unknown }> {
  const url = new URL(opts.base);
  if (url.hostname !== '127.0.0.1') throw new Error('the bench loads 127.0.0.1 only');
  const headers: Record<string, string> = { ...PROXY_HEADERS, ...(opts.cookie ? { cookie: opts.cookie } : {}), ...opts.headers };
  const started = performance.now();
  const measureFrom = started + opts.warmup * 1000;
  const samples: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let timeouts = 0;
  let maxAll = 0;
  const run = autocannon({
    url: opts.base,
    connections: opts.connections,
    // With `during`, the run is stopped when it ends; this is only a bound.
    duration: opts.during ? 3600 : opts.warmup + opts.seconds,
    headers,
    requests: opts.paths.map((path) => ({ method: 'GET', path })),
    timeout: 30,
  });
  run.on('response', (_client, status, _bytes, ms) => {
    if (status < 200 || status > 299) non2xx++;
    if (ms > maxAll) maxAll = ms;
    // Measured: the requests sent after the warm-up (a request sent during it, such as a
    // connection's first, waiting to be accepted, may answer later and is not steady state).
    if (performance.now() - ms >= measureFrom) samples.push(ms);
  });
  run.on('reqError', () => errors++);
  run.on('timeout', () => timeouts++);
  let measuredUntil: number | undefined;
  let during: unknown;
  if (opts.during) {
    await new Promise((r) => setTimeout(r, Math.max(0, measureFrom - performance.now())));
    try {
      during = await opts.during();
    } finally {
      measuredUntil = performance.now();
      run.stop();
    }
  }
  await run;
  const seconds = measuredUntil === undefined ? opts.seconds : (measuredUntil - measureFrom) / 1000;
  samples.sort((a, b) => a - b);
  return {
    label: opts.label,
    connections: opts.connections,
    seconds: Math.round(seconds * 10) / 10,
    requests: samples.length,
    rps: samples.length / seconds,
    p50: Math.round(percentile(samples, 50)),
    p90: Math.round(percentile(samples, 90)),
    p99: Math.round(percentile(samples, 99)),
    max: Math.round(samples[samples.length - 1] ?? 0),
    non2xx,
    errors,
    timeouts,
    maxWithWarmup: Math.round(maxAll),
    during,
  };
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
