import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { SchedulerRegistry } from '@nestjs/schedule';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/common/logger';
import { scheduleJob } from '../../src/common/schedule';
import { Sql } from '../../src/database/sql';
import { OutboxEmail } from '../../src/mail/entities/outbox-email.entity';
import { readJobStatuses, recordJobRun } from '../../src/metrics/job-status.query';
import { createPartner } from '../factories';
import { createRevocations } from '../factories/revocations';
import { createTestApp, type TestApp } from '../support/app';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Parses the Prometheus text format strictly: every line is a comment or a sample (values as
 * Prometheus reads them: Go's ParseFloat, NaN and Inf in any case; prom-client writes `Nan`).
 */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* /.test(line)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|nan|[+-]inf)$/i.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

describe('/metrics', () => {
  let t: TestApp;
  const scrape = async () =>
    parse(
      (
        await t
          .http()
          .get('/metrics')
          .expect(200)
          .expect('content-type', /text\/plain/)
      ).text,
    );

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('serves the Prometheus text format to a loopback client, with the HTTP, outbox, revocation, pool, job and process metrics', async () => {
    const samples = await scrape();
    const names = new Set(samples.map((s) => s.name));
    for (const name of [
      'hub_outbox_emails',
      'hub_outbox_oldest_pending_seconds',
      'hub_revocations_due',
      'hub_db_pool_connections',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(names, name).toContain(name);
    }
    expect(value(samples, 'hub_outbox_emails', { status: 'pending' })).toBe(0);
    expect(value(samples, 'hub_revocations_due', { step: 'billing_end' })).toBe(0);
    expect(value(samples, 'hub_db_pool_connections', { state: 'used' })).toBeGreaterThanOrEqual(0);
  });

  it('counts a request in the latency histogram by method, route pattern and status class', async () => {
    const labels = { method: 'GET', route: '/login', status_class: '2xx' };
    const before = value(await scrape(), 'http_request_duration_seconds_count', labels) ?? 0;
    await t.http().get('/login').expect(200);
    await t.http().get('/login').expect(200);
    const after = await scrape();
    expect(value(after, 'http_request_duration_seconds_count', labels)).toBe(before + 2);
    expect(value(after, 'http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(before + 2);
    await t.http().get('/no/such/page').expect(404);
    expect(value(await scrape(), 'http_request_duration_seconds_count', { route: 'unmatched', status_class: '4xx' })).toBe(1);
  });

  it('shows an email given up, and how long the oldest email not sent yet has waited since it was queued', async () => {
    const em = t.em();
    const dead = new OutboxEmail('a@example.com', 'invitation', {});
    dead.status = 'dead';
    dead.createdAt = new Date(t.clock.now().getTime() - 3_600_000);
    // Queued 20 minutes ago and failing since: its next attempt is in the future.
    const failing = new OutboxEmail('b@example.com', 'invitation', {});
    failing.createdAt = new Date(t.clock.now().getTime() - 1_200_000);
    failing.attempts = 4;
    failing.nextAttemptAt = new Date(t.clock.now().getTime() + 600_000);
    await em.persist([dead, failing]).flush();
    const samples = await scrape();
    expect(value(samples, 'hub_outbox_emails', { status: 'dead' })).toBe(1);
    expect(value(samples, 'hub_outbox_emails', { status: 'pending' })).toBe(1);
    expect(value(samples, 'hub_outbox_oldest_pending_seconds')).toBe(1200);
  });

  it('counts the revocations due whose job has not run', async () => {
    const partner = await createPartner(t.em());
    await createRevocations(t.em(), partner, 2, new Date(t.clock.now().getTime() - 400 * 86_400_000));
    const samples = await scrape();
    expect(value(samples, 'hub_revocations_due', { step: 'billing_end' })).toBe(2);
  });

  it("reports each scheduled job's runs, failures, last success and last duration", async () => {
    const registry = t.app.get(SchedulerRegistry);
    let fail = false;
    scheduleJob(
      registry,
      'probe',
      '* * * * * *',
      async () => {
        if (fail) throw new Error('probe failed');
      },
      createLogger('silent'),
    );
    await expect
      .poll(async () => value(await scrape(), 'hub_job_runs_total', { job: 'probe', outcome: 'success' }) ?? 0, { timeout: 10_000 })
      .toBeGreaterThan(0);
    // The last success is recorded in the database, whatever process ran the job: the next scrape
    // has it, and so does another process (a restarted jobs process, another instance) that never ran it.
    await expect
      .poll(async () => value(await scrape(), 'hub_job_last_success_timestamp_seconds', { job: 'probe' }) ?? 0, { timeout: 10_000 })
      .toBeGreaterThan(Date.now() / 1000 - 60);
    const samples = await scrape();
    const lastSuccess = value(samples, 'hub_job_last_success_timestamp_seconds', { job: 'probe' })!;
    expect(value(samples, 'hub_job_last_duration_seconds', { job: 'probe' })).toBeGreaterThanOrEqual(0);
    const restarted = await createTestApp({ database: t.database, migrate: false });
    try {
      const fresh = parse((await restarted.http().get('/metrics').expect(200)).text);
      expect(value(fresh, 'hub_job_runs_total', { job: 'probe', outcome: 'success' })).toBeUndefined();
      expect(value(fresh, 'hub_job_last_success_timestamp_seconds', { job: 'probe' })).toBeGreaterThanOrEqual(lastSuccess);
      expect(value(fresh, 'hub_job_last_duration_seconds', { job: 'probe' })).toBeGreaterThanOrEqual(0);
    } finally {
      await restarted.close();
    }
    expect(value(samples, 'hub_job_last_failure_timestamp_seconds', { job: 'probe' })).toBeUndefined();
    fail = true;
    await expect
      .poll(async () => value(await scrape(), 'hub_job_runs_total', { job: 'probe', outcome: 'failure' }) ?? 0, { timeout: 10_000 })
      .toBeGreaterThan(0);
    registry.getCronJob('probe').stop();
    registry.deleteCronJob('probe');
    await expect
      .poll(async () => value(await scrape(), 'hub_job_last_failure_timestamp_seconds', { job: 'probe' }) ?? 0, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(lastSuccess);

    // A run that reports late (a slower instance) never moves a time back.
    const sql = t.app.get(Sql);
    const [before] = (await readJobStatuses(sql)).filter((j) => j.name === 'probe');
    await recordJobRun(sql, { name: 'probe', ok: true, endedAt: new Date(before.lastSuccessAt!.getTime() - 60_000), durationMs: 5 });
    await recordJobRun(sql, { name: 'probe', ok: false, endedAt: new Date(before.lastFailureAt!.getTime() - 60_000), durationMs: 5 });
    const [after] = (await readJobStatuses(sql)).filter((j) => j.name === 'probe');
    expect(after.lastSuccessAt).toEqual(before.lastSuccessAt);
    expect(after.lastFailureAt).toEqual(before.lastFailureAt);
  });

  it('answers 404 to a client that is not on loopback', async () => {
    const behindProxy = await createTestApp({ env: { TRUSTED_PROXY_HOPS: '1' } });
    try {
      await behindProxy.http().get('/metrics').set('X-Forwarded-For', '203.0.113.9').expect(404);
      await behindProxy.http().get('/metrics').set('X-Forwarded-For', '127.0.0.1').expect(200);
    } finally {
      await behindProxy.close();
    }
  });

  // This machine's own address on another interface: a connection to it does not come from loopback.
  const external = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

  it.skipIf(!external)('answers 404 to a remote client that writes X-Forwarded-For: 127.0.0.1', async () => {
    const app = await createTestApp({ env: { TRUSTED_PROXY_HOPS: '1' } });
    try {
      const server = app.app.getHttpServer() as Server;
      await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
      const port = (server.address() as AddressInfo).port;
      const scrape = (host: string) =>
        fetch(`http://${host}:${port}/metrics`, { headers: { 'x-forwarded-for': '127.0.0.1' } }).then((r) => r.status);
      expect(await scrape(external!)).toBe(404);
      expect(await scrape('127.0.0.1')).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe('/metrics with METRICS_TOKEN', () => {
  const token = 'metrics-token-0123456789abcdef';
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { METRICS_TOKEN: token } });
  });
  afterAll(() => t.close());

  it('serves whoever sends the token as a Bearer, and answers 404 to anyone else, loopback too', async () => {
    const res = await t.http().get('/metrics').set('Authorization', `Bearer ${token}`).expect(200);
    expect(parse(res.text).some((s) => s.name === 'hub_outbox_emails')).toBe(true);
    await t.http().get('/metrics').expect(404);
    await t.http().get('/metrics').set('Authorization', `Bearer ${token}x`).expect(404);
    await t.http().get('/metrics').set('Authorization', token).expect(404);
  });
});
