import cluster from 'node:cluster';
import { EntityManager, MikroORM } from '@mikro-orm/core';
import type { AbstractSqlConnection } from '@mikro-orm/knex';
import { Inject, Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { askPrimaryForMetrics } from '../cluster';
import { Clock } from '../common/clock';
import { SharedRuns } from '../common/shared-runs';
import { LOGGER, type Logger } from '../common/logger';
import { watchJobRuns, type JobRun } from '../common/schedule';
import { Sql } from '../database/sql';
import { OutboxEmail } from '../mail/entities/outbox-email.entity';
import { RevocationFinalizer } from '../revocation/revocation-finalizer.service';
import { readJobStatuses, recordJobRun, type JobStatusRow } from './job-status.query';

/** Request latency buckets, in seconds: pages take milliseconds, a large export tens of seconds. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** A knex (tarn) pool, as far as it is read here. */
interface Pool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

/**
 * The Prometheus metrics of this process, one registry per app (tests run several apps in one
 * process). Counters and histograms are kept as things happen; the database gauges are read
 * when scraped, each with one indexed query. With HTTP workers (WEB_CONCURRENCY > 1) every
 * process keeps its own and the scraped worker asks the primary for the sum (render).
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly httpDuration: Histogram<'method' | 'route' | 'status_class'>;
  private readonly jobRuns: Counter<'job' | 'outcome'>;
  /** A scrape collects the three job gauges at once: they share one read of job_status. */
  private readonly jobStatuses = new SharedRuns<JobStatusRow[]>();

  constructor(
    private readonly em: EntityManager,
    private readonly orm: MikroORM,
    private readonly clock: Clock,
    private readonly revocations: RevocationFinalizer,
    private readonly sql: Sql,
    scheduler: SchedulerRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });

    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status class (aborted: the client left first)',
      labelNames: ['method', 'route', 'status_class'],
      buckets: HTTP_BUCKETS,
      registers,
    });

    this.jobRuns = new Counter({
      name: 'hub_job_runs_total',
      help: 'Scheduled job runs in this process by outcome (success, failure)',
      labelNames: ['job', 'outcome'],
      registers,
    });
    watchJobRuns(scheduler, (run) => this.jobRan(run));

    // Read from the database at scrape time: the same in every process (max, not sum).
    const service = this;
    // Each job's last run as any process recorded it: a restarted jobs process, or another
    // instance, reports it too, not only the process that ran it since it started.
    const jobGauge = (name: string, help: string, value: (job: JobStatusRow) => number | undefined) =>
      new Gauge({
        name,
        help,
        labelNames: ['job'],
        registers,
        aggregator: 'max',
        async collect() {
          await service.read(this, async () => {
            for (const job of await service.jobStatuses.run('all', () => readJobStatuses(service.sql))) {
              const v = value(job);
              if (v !== undefined) this.set({ job: job.name }, v);
            }
          });
        },
      });
    const seconds = (at: Date | null) => (at ? at.getTime() / 1000 : undefined);
    jobGauge(
      'hub_job_last_success_timestamp_seconds',
      'When each scheduled job last ran without error (Unix time), in any process or instance',
      (job) => seconds(job.lastSuccessAt),
    );
    jobGauge(
      'hub_job_last_failure_timestamp_seconds',
      'When each scheduled job last failed (Unix time), in any process or instance: later than its last success, it is failing now',
      (job) => seconds(job.lastFailureAt),
    );
    jobGauge(
      'hub_job_last_duration_seconds',
      'How long the last run of each scheduled job took, in any process or instance',
      (job) => job.lastDurationMs / 1000,
    );
    new Gauge({
      name: 'hub_outbox_emails',
      help: 'Emails in the outbox waiting to be sent (pending) and given up after MAIL_MAX_ATTEMPTS (dead)',
      labelNames: ['status'],
      registers,
      aggregator: 'max',
      async collect() {
        await service.read(this, async (em) => {
          this.set({ status: 'pending' }, await em.count(OutboxEmail, { status: 'pending' }));
          this.set({ status: 'dead' }, await em.count(OutboxEmail, { status: 'dead' }));
        });
      },
    });
    new Gauge({
      name: 'hub_outbox_oldest_pending_seconds',
      // Since it was queued, not since its next attempt: while every send fails, each retry moves
      // that into the future, and an alert on this gauge would never fire during an outage.
      help: 'How long the oldest email not sent yet has waited since it was queued, retries included (0: none waits)',
      registers,
      aggregator: 'max',
      async collect() {
        await service.read(this, async (em) => {
          const [oldest] = await em.find(
            OutboxEmail,
            { status: 'pending' },
            { fields: ['createdAt'], orderBy: { createdAt: 'asc' }, limit: 1 },
          );
          const age = oldest ? (service.clock.now().getTime() - oldest.createdAt.getTime()) / 1000 : 0;
          this.set(Math.max(0, age));
        });
      },
    });
    new Gauge({
      name: 'hub_revocations_due',
      help: 'Revocations whose next step (billing_end, removal) is due and not yet done: above 0 for long, the job is not running',
      labelNames: ['step'],
      registers,
      aggregator: 'max',
      async collect() {
        await service.read(this, async () => {
          // The job's own rule of what is due (due-revocations.query.ts).
          const due = await service.revocations.countDue(service.clock.now());
          this.set({ step: 'billing_end' }, due.billing_end);
          this.set({ step: 'removal' }, due.removal);
        });
      },
    });
    new Gauge({
      name: 'hub_db_pool_connections',
      help: 'Database connections of this process: used, free, and requests waiting for one (pending)',
      labelNames: ['state'],
      registers,
      collect() {
        const pool = service.pool();
        if (!pool) return;
        this.set({ state: 'used' }, pool.numUsed());
        this.set({ state: 'free' }, pool.numFree());
        this.set({ state: 'pending' }, pool.numPendingAcquires());
      },
    });

    // In a cluster the primary gathers every process's registry (see render).
    if (cluster.isWorker) {
      new AggregatorRegistry();
      AggregatorRegistry.setRegistries([this.registry]);
    }
  }

  /** One finished request, in seconds; `status` undefined when the client left first. */
  observeRequest(method: string, route: string, status: number | undefined, seconds: number): void {
    const statusClass = status === undefined ? 'aborted' : `${Math.floor(status / 100)}xx`;
    this.httpDuration.observe({ method, route, status_class: statusClass }, seconds);
  }

  /** The text a scrape gets: this process's metrics, or with HTTP workers the whole cluster's. */
  async render(): Promise<{ contentType: string; text: string }> {
    const contentType = this.registry.contentType;
    if (cluster.isWorker) {
      try {
        return { contentType, text: await askPrimaryForMetrics() };
      } catch (err) {
        this.logger.warn({ event: 'metrics.cluster_failed', err }, 'cluster metrics unavailable: this process only');
      }
    }
    return { contentType, text: await this.registry.metrics() };
  }

  private jobRan(run: JobRun): void {
    this.jobRuns.inc({ job: run.name, outcome: run.ok ? 'success' : 'failure' });
    recordJobRun(this.sql, run).catch((err: unknown) =>
      this.logger.warn({ event: 'metrics.job_record_failed', job: run.name, err }, 'metrics: could not record a job run'),
    );
  }

  /** A database gauge: left without a value (and logged) when the database does not answer. */
  private async read(gauge: Gauge<string>, query: (em: EntityManager) => Promise<void>): Promise<void> {
    gauge.reset();
    try {
      await query(this.em.fork({ clear: true, useContext: false }));
    } catch (err) {
      gauge.reset();
      this.logger.warn({ event: 'metrics.read_failed', err }, 'metrics: database read failed');
    }
  }

  private pool(): Pool | undefined {
    try {
      const knex = (this.orm.em.getConnection() as AbstractSqlConnection).getKnex();
      return (knex.client as { pool?: Pool }).pool;
    } catch {
      return undefined;
    }
  }
}
