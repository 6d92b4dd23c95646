import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { EntityManager, raw } from '@mikro-orm/core';
import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { LOGGER, type Logger } from '../common/logger';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { OutboxEmail } from './entities/outbox-email.entity';
import { MailRenderer } from './mail-renderer';
import { MAIL_TRANSPORT, type Message, type MailTransport } from './mail-transport';
import { MAIL_LINK_ISSUER, type MailLinkIssuer } from './outbox.service';

/** Rows one run takes at most; the next run takes the rest. */
export const BATCH_SIZE = 50;
/**
 * Messages sent at once. A stalled SMTP reply holds one lane until its timeout; the other
 * lanes go on with the rest of the batch, so one slow message never holds back the others.
 */
export const SEND_CONCURRENCY = 4;
/** A run claims new rows only during its first two minutes; what is left waits for the next run. */
export const CLAIM_WINDOW_MS = 2 * 60_000;
/** Replies a send may wait for after the greeting: EHLO, AUTH (two), MAIL, RCPT, DATA, the message, one spare. */
const SMTP_REPLIES = 8;
const MIN_LEASE_MS = 15 * 60_000;
const FIRST_RETRY_MS = 30_000;
const MAX_RETRY_MS = 60 * 60_000;

/**
 * The longest one send can take with the configured timeouts: connecting up to the greeting
 * (connectionTimeout), then at most socketTimeout per reply. 10 s + 8 × 30 s = 250 s by default.
 */
export function worstSendMs(config: AppConfig): number {
  return config.mail.connectTimeoutMs + SMTP_REPLIES * config.mail.socketTimeoutMs;
}

/**
 * How long a claim keeps other workers off a row, counted from the run's `now`. A row is
 * claimed at most CLAIM_WINDOW_MS into its run and its send ends at most worstSendMs later;
 * the lease is twice that, and at least 15 min (15 min by default: 2 × (2 min + 250 s) is
 * 12.3 min), so no other instance takes a message still being sent. The margin also absorbs
 * a clock that is a few minutes off on SQLite; on PostgreSQL the jobs run on the database's
 * clock. A worker that dies mid-send leaves its row to be retried when the lease ends.
 */
export function claimLeaseMs(config: AppConfig): number {
  return Math.max(MIN_LEASE_MS, 2 * (CLAIM_WINDOW_MS + worstSendMs(config)));
}

export interface SendResult {
  sent: number;
  failed: number;
  dead: number;
}

/** An SMTP refusal that will not change on a retry (5xx): the address or message is refused. */
function isPermanent(err: unknown): boolean {
  const code = (err as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/**
 * Delivers the outbox. Each row is first claimed with a conditional UPDATE that also counts
 * the attempt, so that when several instances run at once a row is sent by exactly the one
 * that claimed it, and a row whose sending kills the worker still uses up its attempts.
 */
@Injectable()
export class MailWorker implements BeforeApplicationShutdown {
  private readonly renderer = new MailRenderer();
  private readonly messageIdHost: string;
  private readonly leaseMs: number;
  /** Set at shutdown: no new row is claimed. */
  private stopping = false;
  private readonly runs = new Set<Promise<unknown>>();

  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(MAIL_TRANSPORT) private readonly transport: MailTransport,
    @Inject(MAIL_LINK_ISSUER) private readonly links: MailLinkIssuer,
  ) {
    this.messageIdHost = new URL(config.baseUrl).hostname;
    this.leaseMs = claimLeaseMs(config);
  }

  /**
   * On app.close() (SIGTERM): claim nothing more and let the sends in progress finish, for at
   * most SHUTDOWN_TIMEOUT_SECONDS, before the database closes. A send still going then keeps
   * its claim and counted attempt, and is retried when the lease ends.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.runs.size) {
      this.logger.info({ event: 'mail.stopping', runs: this.runs.size }, 'waiting for the emails being sent');
      const finished = Promise.allSettled([...this.runs]).then(() => true);
      const timer = new AbortController();
      const done = await Promise.race([
        finished,
        sleep(this.config.http.shutdownTimeoutMs, false, { signal: timer.signal }).catch(() => false),
      ]);
      timer.abort();
      if (!done) this.logger.warn({ event: 'mail.stop_timeout' }, 'stopped while an email was being sent: it is retried after its lease');
    }
    this.transport.close();
  }

  /** Sends every row due at `now` that this worker manages to claim. */
  async sendDue(now: Date): Promise<SendResult> {
    return (await this.run(now)).result;
  }

  /**
   * Runs until a run finds nothing due (mail:send): more than one batch, and rows that other
   * instances hold are left to them. `now` is asked again for each run.
   */
  async drain(now: () => Promise<Date>, maxRuns = 1000): Promise<SendResult> {
    const total: SendResult = { sent: 0, failed: 0, dead: 0 };
    for (let i = 0; i < maxRuns && !this.stopping; i++) {
      const { result, candidates } = await this.run(await now());
      total.sent += result.sent;
      total.failed += result.failed;
      total.dead += result.dead;
      if (candidates === 0) break;
    }
    return total;
  }

  private async run(now: Date): Promise<{ result: SendResult; candidates: number }> {
    if (this.stopping) return { result: { sent: 0, failed: 0, dead: 0 }, candidates: 0 };
    const run = this.runOnce(now);
    this.runs.add(run);
    try {
      return await run;
    } finally {
      this.runs.delete(run);
    }
  }

  private async runOnce(now: Date): Promise<{ result: SendResult; candidates: number }> {
    // Elapsed time within the run is measured on the monotonic clock, never by a wall clock.
    const started = performance.now();
    const result: SendResult = { sent: 0, failed: 0, dead: 0 };
    const maxAttempts = this.config.mail.maxAttempts;
    const em = this.em.fork({ clear: true, useContext: false });
    const due = {
      status: 'pending' as const,
      nextAttemptAt: { $lte: now },
      $or: [{ lockedUntil: null }, { lockedUntil: { $lt: now } }],
    };
    // Attempts are counted when claimed: a row still pending with all of them used is one whose
    // last send never finished (the worker died). Given up, not sent again.
    result.dead += await em.nativeUpdate(
      OutboxEmail,
      { ...due, attempts: { $gte: maxAttempts } },
      {
        status: 'dead',
        lockedUntil: null,
        lastError: `the last of ${maxAttempts} attempts did not finish (the worker stopped while sending)`,
      },
    );
    const sendable = { ...due, attempts: { $lt: maxAttempts } };
    const candidates = await em.find(OutboxEmail, sendable, {
      fields: ['id', 'toAddress'],
      // In the order they were queued: a retried email keeps its place before later ones.
      orderBy: { createdAt: 'asc', id: 'asc' },
      limit: BATCH_SIZE,
    });
    // Different recipients in parallel; one recipient's emails one after another, in the order
    // they were queued, so that a client never reads a withdrawal before the request it
    // withdraws. After a temporary failure the recipient's later emails wait for the next run.
    const byRecipient = new Map<string, string[]>();
    for (const { id, toAddress } of candidates) {
      const queue = byRecipient.get(toAddress);
      if (queue) queue.push(id);
      else byRecipient.set(toAddress, [id]);
    }
    const queues = [...byRecipient.values()];
    const lockedUntil = new Date(now.getTime() + this.leaseMs);
    const claiming = () => !this.stopping && performance.now() - started < CLAIM_WINDOW_MS;
    let next = 0;
    const lane = async () => {
      while (next < queues.length && claiming()) {
        for (const id of queues[next++]) {
          if (!claiming()) break;
          // The claim: only one worker's UPDATE matches while the row is free and due.
          const claimed = await this.em
            .fork({ clear: true, useContext: false })
            .nativeUpdate(OutboxEmail, { id, ...sendable }, { lockedUntil, attempts: raw('attempts + 1') });
          if (claimed !== 1) continue;
          let outcome: keyof SendResult;
          try {
            outcome = await this.deliver(id, now);
          } catch (err) {
            // The outcome could not be written (the database went away): the claim stays, and
            // the row is retried when the lease ends.
            this.logger.error({ event: 'mail.deliver_failed', outboxId: id, err }, 'could not record the outcome of an email');
            break;
          }
          result[outcome]++;
          if (outcome === 'failed') break;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(SEND_CONCURRENCY, queues.length) }, lane));
    return { result, candidates: candidates.length };
  }

  private async deliver(id: string, now: Date): Promise<keyof SendResult> {
    const em = this.em.fork({ clear: true, useContext: false });
    const row = await em.findOneOrFail(OutboxEmail, id);
    // This attempt is already counted (by the claim).
    const attempts = row.attempts;
    try {
      const message = await this.build(em, row);
      if (!message) {
        await em.nativeUpdate(
          OutboxEmail,
          { id },
          { status: 'dead', lockedUntil: null, lastError: 'the link in this email was replaced or used before it was sent' },
        );
        this.logger.info({ event: 'mail.skipped', outboxId: id }, 'link no longer valid: not sent');
        return 'dead';
      }
      await this.transport.send(message);
      await em.nativeUpdate(OutboxEmail, { id }, { status: 'sent', sentAt: now, lockedUntil: null, lastError: null });
      this.logger.info({ event: 'mail.sent', outboxId: id, template: row.template }, 'mail sent');
      return 'sent';
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      const permanent = isPermanent(err);
      if (permanent || attempts >= this.config.mail.maxAttempts) {
        await em.nativeUpdate(OutboxEmail, { id }, { status: 'dead', lockedUntil: null, lastError: error.slice(0, 2000) });
        this.logger.error({ event: 'mail.dead', outboxId: id, attempts, permanent, error }, 'mail given up');
        return 'dead';
      }
      // Exponential backoff: 30 s, 1 min, 2 min … at most an hour.
      const delay = Math.min(FIRST_RETRY_MS * 2 ** (attempts - 1), MAX_RETRY_MS);
      await em.nativeUpdate(
        OutboxEmail,
        { id },
        { lockedUntil: null, nextAttemptAt: new Date(now.getTime() + delay), lastError: error.slice(0, 2000) },
      );
      this.logger.warn({ event: 'mail.retry', outboxId: id, attempts, error }, 'mail failed, will retry');
      return 'failed';
    }
  }

  /**
   * Renders the message. A row with a token gets its link's secret from the link issuer: the
   * same in every build. Returns null when the token is no longer usable.
   */
  private async build(em: EntityManager, row: OutboxEmail): Promise<Message | null> {
    const payload = row.payload ?? {};
    const locals: Record<string, unknown> = { ...payload, baseUrl: this.config.baseUrl };
    if (row.tokenId) {
      const raw = await this.links.linkSecret(em, row.tokenId);
      if (raw === null) return null;
      // Links are built from APP_BASE_URL, never from a request's Host header. The link goes
      // into the message only: not returned beside it, so no caller can log it.
      locals.link = `${this.config.baseUrl}${String(payload.linkPath ?? '')}/${raw}`;
    }
    const { html, text } = this.renderer.render(row.template, locals);
    return {
      id: row.id,
      messageId: `<${row.id}@${this.messageIdHost}>`,
      to: row.toAddress,
      subject: String(payload.subject ?? 'Partner Hub'),
      html,
      text,
    };
  }

  /** Counts by status and the rows given up on, for `mail:status`. */
  async status(): Promise<{ counts: Record<string, number>; dead: OutboxEmail[] }> {
    const em = this.em.fork();
    const counts: Record<string, number> = {};
    for (const status of ['pending', 'sent', 'dead'] as const) counts[status] = await em.count(OutboxEmail, { status });
    const dead = await em.find(OutboxEmail, { status: 'dead' }, { orderBy: { updatedAt: 'desc' }, limit: 100 });
    return { counts, dead };
  }
}
