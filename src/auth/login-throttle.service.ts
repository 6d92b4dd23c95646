import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { LoginAttempt } from './entities/login-attempt.entity';

export const LOGIN_WINDOW_MS = 15 * 60_000;
export const MAX_FAILURES_PER_EMAIL_AND_IP = 5;
export const MAX_FAILURES_PER_IP = 20;

/** Failed sign-ins, counted in the database so that every instance throttles alike. */
@Injectable()
export class LoginThrottleService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
  ) {}

  /** Seconds until sign-in is allowed again for this email and IP, or 0. */
  async retryAfterSeconds(email: string, ip: string): Promise<number> {
    const now = this.clock.now();
    const since = new Date(now.getTime() - LOGIN_WINDOW_MS);
    const em = this.em.fork();
    const byPair = await em.find(
      LoginAttempt,
      { email, ip, createdAt: { $gt: since } },
      { orderBy: { createdAt: 'desc' }, limit: MAX_FAILURES_PER_EMAIL_AND_IP, fields: ['createdAt'] },
    );
    const byIp = await em.find(
      LoginAttempt,
      { ip, createdAt: { $gt: since } },
      { orderBy: { createdAt: 'desc' }, limit: MAX_FAILURES_PER_IP, fields: ['createdAt'] },
    );
    // Blocked until the oldest failure that keeps the count at the limit leaves the window.
    const until = (rows: { createdAt: Date }[], max: number) =>
      rows.length >= max ? rows[max - 1].createdAt.getTime() + LOGIN_WINDOW_MS : 0;
    const blockedUntil = Math.max(until(byPair, MAX_FAILURES_PER_EMAIL_AND_IP), until(byIp, MAX_FAILURES_PER_IP));
    return blockedUntil > now.getTime() ? Math.ceil((blockedUntil - now.getTime()) / 1000) : 0;
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    await this.em.fork().insert(LoginAttempt, new LoginAttempt(email, ip, this.clock.now()));
  }

  /** Old attempts serve no purpose; the sign-in path prunes them now and then. */
  async prune(): Promise<void> {
    const before = new Date(this.clock.now().getTime() - LOGIN_WINDOW_MS);
    await this.em.fork().nativeDelete(LoginAttempt, { createdAt: { $lt: before } });
  }
}
