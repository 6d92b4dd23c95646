import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import type { RequestOrigin } from '../common/http';
import { LOGGER, type Logger } from '../common/logger';
import { logSecurityEvent } from '../common/security-log';
import { Sql, sqlDate, sqlNumber } from '../database/sql';

/** A limit: at most `points` per `windowMs` for one subject. The name keys its counters. */
export interface RatePolicy {
  name: string;
  points: number;
  windowMs: number;
  /** What a refused person reads before "Try again in …", when the caller's sentence is too general. */
  refusal?: string;
  /**
   * Points a process claims at once and then spends itself, for a limit taken on nearly every
   * request (an API key's): one write per `lease` requests instead of one each. Never more than
   * `points` pass in a window; a lease left unspent when the window ends may refuse other
   * instances up to `lease` × (instances − 1) requests early.
   */
  lease?: number;
}

/** A policy and the subject it counts (an account, an address, an IP, a partner). */
export type Claim = [policy: RatePolicy, subject: string];

/** A request past a limit: a 429 with Retry-After and a sentence that says when to retry. */
export class RateLimited extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('throttle.rate_limited', `${message} ${tryAgainIn(retryAfterSeconds)}`, 429);
  }
}

export interface RateDecision {
  allowed: boolean;
  /** Points spent in the window, this request's included (it may pass the limit). */
  spent: number;
  /** True for exactly one request per window: the first one refused. */
  justLocked: boolean;
  /** Seconds until the window ends (0 while allowed). */
  retryAfterSeconds: number;
  /** When the window ends (ms since the epoch). */
  resetsAt: number;
}

// One statement claims the point and reads the count, so parallel requests (on any instance)
// each see a different count: the n-th request of a window sees n, never a stale n - 1.
const CONSUME_SQL = `insert into rate_limit (key, points, resets_at) values (?, ?, ?)
  on conflict (key) do update set
    points = case when rate_limit.resets_at <= ? then excluded.points else rate_limit.points + excluded.points end,
    resets_at = case when rate_limit.resets_at <= ? then excluded.resets_at else rate_limit.resets_at end
  returning points, resets_at`;

const REFUND_SQL = 'update rate_limit set points = points - 1 where key = ? and points > 0 and resets_at > ?';

const PRUNE_BATCH_SIZE = 1000;
/** Counters a process holds a lease on at most. */
const MAX_LEASES = 10_000;
const PRUNE_SQL = 'delete from rate_limit where key in (select key from rate_limit where resets_at <= ? limit ?)';

/**
 * Fixed-window rate limits counted in the application database, shared by every worker and
 * instance. The point is claimed before the work it guards (a password check, an email), so a
 * burst of parallel requests cannot all slip under the limit; a success can give it back.
 */
@Injectable()
export class RateLimiter {
  /**
   * The points this process holds ahead, per counter key (policies with a lease), and what the
   * window had spent when they were claimed: `base - left` is the window's spending as this
   * process last learnt it (other instances' later points show at its next claim).
   */
  private readonly leases = new Map<string, { left: number; resetsAt: number; base: number }>();
  /** Claims on the way, per counter key: the process's other requests wait for them rather than claim too. */
  private readonly claiming = new Map<string, Promise<unknown>>();

  constructor(
    private readonly sql: Sql,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Claims a point of every limit, in order, and stops at the first one refused: logged as a
   * security event, thrown as RateLimited (`message` is what the person reads before "Try
   * again in …").
   */
  async claimAll(origin: RequestOrigin, event: string, claims: Claim[], message = 'Too many attempts.'): Promise<void> {
    for (const [policy, subject] of claims) {
      const decision = await this.consume(policy, subject);
      if (!decision.allowed) {
        logSecurityEvent(this.logger, origin, `${event}.throttled`, { limit: policy.name, retryAfter: decision.retryAfterSeconds });
        throw new RateLimited(policy.refusal ?? message, decision.retryAfterSeconds);
      }
    }
  }

  async refundAll(claims: Claim[]): Promise<void> {
    for (const [policy, subject] of claims) await this.refund(policy, subject);
  }

  async consume(policy: RatePolicy, subject: string): Promise<RateDecision> {
    const key = this.key(policy, subject);
    const now = this.clock.now();
    const lease = Math.min(policy.lease ?? 1, policy.points);
    if (lease > 1) {
      for (;;) {
        const held = this.leases.get(key);
        if (held && held.left > 0 && held.resetsAt > now.getTime()) {
          held.left--;
          return { allowed: true, spent: held.base - held.left, justLocked: false, retryAfterSeconds: 0, resetsAt: held.resetsAt };
        }
        const claim = this.claiming.get(key);
        if (!claim) break;
        await claim;
      }
    }
    const claimed = this.sql.returning<{ points: unknown; resets_at: unknown }>(CONSUME_SQL, [
      key,
      lease,
      new Date(now.getTime() + policy.windowMs),
      now,
      now,
    ]);
    if (lease > 1)
      this.claiming.set(
        key,
        claimed.catch(() => undefined),
      );
    let row: { points: unknown; resets_at: unknown };
    try {
      [row] = await claimed;
    } finally {
      if (lease > 1) this.claiming.delete(key);
    }
    const counted = sqlNumber(row.points);
    const resetsAt = sqlDate(row.resets_at).getTime();
    // Of the points just claimed, those still under the limit are this process's to spend.
    const granted = Math.max(0, Math.min(lease, policy.points - (counted - lease)));
    const spent = granted > 0 ? counted - lease + 1 : counted;
    if (lease > 1) this.hold(key, granted - 1, resetsAt, spent + granted - 1);
    const allowed = granted > 0;
    return {
      allowed,
      spent,
      justLocked: spent === policy.points + 1,
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((resetsAt - now.getTime()) / 1000)),
      resetsAt,
    };
  }

  private hold(key: string, left: number, resetsAt: number, base: number): void {
    this.leases.delete(key);
    if (left <= 0) return;
    // Bounded: the oldest lease goes first (its points are only refused early, never lost twice).
    if (this.leases.size >= MAX_LEASES) this.leases.delete(this.leases.keys().next().value!);
    this.leases.set(key, { left, resetsAt, base });
  }

  /** Gives a point back (a sign-in that succeeded is no guess). */
  async refund(policy: RatePolicy, subject: string): Promise<void> {
    await this.sql.run(REFUND_SQL, [this.key(policy, subject), this.clock.now()]);
  }

  /**
   * Deletes the counters whose window ended by `now` (they serve no purpose), `batchSize` rows
   * per statement so that a backlog never holds a long lock. Returns how many went.
   */
  prune(now = this.clock.now(), batchSize = PRUNE_BATCH_SIZE): Promise<number> {
    return this.sql.deleteInBatches(PRUNE_SQL, [now], batchSize);
  }

  private key(policy: RatePolicy, subject: string): string {
    return `${policy.name}:${createHash('sha256').update(subject).digest('base64url')}`;
  }
}

/** "Try again in 12 minutes." for a refusal's Retry-After. */
export function tryAgainIn(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  return minutes <= 1 ? 'Try again in a minute.' : `Try again in ${minutes} minutes.`;
}
