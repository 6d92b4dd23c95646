import { PROXY_HEADERS } from './http';

/** What one autocannon run measured. */
export interface LoadResult {
  label: string;
  connections: number;
  seconds: number;
  requests: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
  statusCodeStats?: Record<string, { count: number }>;
}
// autocannon ships no types; this is the part of its API the bench uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<AutocannonResult> & { stop(): void };

/**
 * Loads one URL of a server on 127.0.0.1 for a fixed time. Every request carries the session
 * cookie (when given) and `X-Forwarded-Proto: https`. Several paths are taken in turn.
 */
export async function load(opts: {
  label: string;
  base: string;
  paths: string[];
  cookie?: string;
  connections: number;
  seconds: number;
  /** Stops the load early when this settles (e.g. a job that runs meanwhile has ended). */
  until?: Promise<unknown>;
}): Promise<LoadResult> {
  const url = new URL(opts.base);
  if (url.hostname !== '127.0.0.1') throw new Error('the bench loads 127.0.0.1 only');
  const headers: Record<string, string> = { ...PROXY_HEADERS, ...(opts.cookie ? { cookie: opts.cookie } : {}) };
  const run = autocannon({
    url: opts.base,
    connections: opts.connections,
    duration: opts.seconds,
    headers,
    requests: opts.paths.map((path) => ({ method: 'GET', path })),
    timeout: 30,
  });
  const stop = () => run.stop();
  opts.until?.then(stop, stop);
  const r = await run;
  return {
    label: opts.label,
    connections: opts.connections,
    seconds: opts.seconds,
    requests: r.requests.total,
    rps: r.requests.total / r.duration,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
