import cluster from 'node:cluster';
import { once } from 'node:events';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JOBS_PROCESS_FLAGS, startWorkers, type Workers } from '../../src/cluster';
import { createLogger } from '../../src/common/logger';
import { freePort } from '../support/ports';

const SCRIPT = join(__dirname, '..', 'fixtures', 'cluster-worker.cjs');
const logger = createLogger('silent');

/**
 * One request on a connection of its own. A connection the primary hands to a worker that is
 * exiting is lost without an answer: the time limit turns that into a failed attempt.
 */
async function ask(port: number, path = '/'): Promise<{ index: number; pid: number }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { connection: 'close' }, signal: AbortSignal.timeout(2_000) });
  return (await res.json()) as { index: number; pid: number };
}

describe('WEB_CONCURRENCY: HTTP workers and a jobs process (node:cluster)', () => {
  let workers: Workers | undefined;
  let p: number;
  beforeEach(async () => {
    p = await freePort();
    process.env.PORT = String(p);
  });
  afterEach(async () => {
    await workers?.stop();
    workers = undefined;
    delete process.env.FAIL;
    delete process.env.PORT;
    delete process.env.CRASH_FILE;
  });

  it('starts the jobs process first, in its memory mode at a lower priority, then the HTTP workers on one port, and spreads requests over them', async () => {
    const started: string[] = [];
    const onOnline = (w: { process: { spawnargs: string[] } }) => started.push(w.process.spawnargs.join(' '));
    cluster.on('online', onOnline);
    workers = await startWorkers(3, logger, SCRIPT);
    cluster.off('online', onOnline);
    expect(started).toHaveLength(4);
    for (const flag of JOBS_PROCESS_FLAGS) {
      expect(started[0]).toContain(flag);
      expect(started.slice(1).some((args) => args.includes(flag))).toBe(false);
    }
    const answers = await Promise.all(Array.from({ length: 30 }, () => ask(p)));
    expect(new Set(answers.map((a) => a.index))).toEqual(new Set([1, 2, 3]));
    expect(answers.some((a) => a.pid === workers!.get('jobs')!.process.pid)).toBe(false);
    // Batch work yields the cores to the HTTP workers.
    expect(getPriority(workers.get('jobs')!.process.pid)).toBeGreaterThan(getPriority(workers.get(1)!.process.pid));
  });

  it('starts a process that dies again in the same role', async () => {
    workers = await startWorkers(2, logger, SCRIPT);
    const before = workers.get(1)!.process.pid;
    // Round robin: within two requests one reaches worker 1 (a worker 2 that dies is replaced too).
    for (let i = 0; i < 4 && (await ask(p, '/exit').catch(() => undefined))?.index !== 1; i++);
    await vi.waitFor(
      async () => {
        const a = await ask(p);
        expect(a.index === 1 && a.pid !== before).toBe(true);
      },
      { timeout: 10_000, interval: 50 },
    );

    const jobs = workers.get('jobs')!;
    jobs.process.kill('SIGKILL');
    await vi.waitFor(
      () => {
        const now = workers!.get('jobs');
        expect(now && now.process.pid !== jobs.process.pid && now.isConnected()).toBe(true);
      },
      { timeout: 10_000, interval: 50 },
    );
  });

  it.each(['jobs', '2'])('fails to start when a process (%s) exits before it is ready, and leaves none behind', async (which) => {
    process.env.FAIL = which;
    await expect(startWorkers(2, logger, SCRIPT)).rejects.toThrow(/exited \(3\) before it was ready/);
    expect(Object.keys(cluster.workers ?? {})).toHaveLength(0);
  });

  it('stops every process, and says whether each exited cleanly', async () => {
    workers = await startWorkers(2, logger, SCRIPT);
    const all = [workers.get('jobs')!, workers.get(1)!, workers.get(2)!];
    expect(await workers.stop()).toBe(true);
    expect(all.every((w) => w.isDead())).toBe(true);
  });

  it('restarts a process that keeps dying after longer and longer pauses, logging each, and starts again from the first once it ran fine', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-crash-'));
    const crashFile = join(dir, 'crash');
    process.env.CRASH_FILE = crashFile;
    const lines: Record<string, unknown>[] = [];
    const capture = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    // Short pauses for the test; "ran fine" after 3 s (a crash at start takes a fraction of that).
    const backoff = { firstMs: 50, maxMs: 400, stableAfterMs: 3_000 };
    const delaysOf = (worker: string) => lines.filter((l) => l.event === 'worker.died' && l.worker === worker).map((l) => l.restartInMs);
    try {
      workers = await startWorkers(2, capture, SCRIPT, { backoff });
      // Worker 1 dies, and dies again at each start while the crash file names it.
      writeFileSync(crashFile, '1');
      for (let i = 0; i < 4 && (await ask(p, '/exit').catch(() => undefined))?.index !== 1; i++);
      await vi.waitFor(() => expect(delaysOf('1').length).toBeGreaterThanOrEqual(6), { timeout: 20_000, interval: 50 });
      expect(delaysOf('1').slice(0, 6)).toEqual([50, 100, 200, 400, 400, 400]);
      expect(lines.find((l) => l.event === 'worker.died' && l.worker === '1')).toMatchObject({
        level: 50,
        worker: '1',
        msg: expect.stringMatching(/starting another in 0\.05 s/),
      });

      // The crash ends: worker 1 comes back, runs fine for a while, then dies once.
      unlinkSync(crashFile);
      await vi.waitFor(async () => expect((await ask(p)).index === 1 || (await ask(p)).index === 1).toBe(true), {
        timeout: 10_000,
        interval: 100,
      });
      const back = workers.get(1)!;
      await new Promise((resolve) => setTimeout(resolve, backoff.stableAfterMs + 500));
      const died = delaysOf('1').length;
      back.process.kill('SIGKILL');
      await vi.waitFor(() => expect(delaysOf('1').length).toBe(died + 1), { timeout: 10_000, interval: 50 });
      expect(delaysOf('1').at(-1)).toBe(50);
      // Each role has its own pauses: worker 2 (when the round robin sent it /exit) died once.
      expect(delaysOf('2').every((ms) => ms === 50)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
