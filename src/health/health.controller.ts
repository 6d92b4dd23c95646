import { MikroORM } from '@mikro-orm/core';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Clock } from '../common/clock';
import { Lifecycle } from '../common/lifecycle';
import { LOGGER, type Logger } from '../common/logger';
import { Public } from '../common/public.decorator';
import { pendingMigrations } from '../database/migrations';

/** A load balancer probes every few seconds: an unchanged reason is logged once a minute. */
const REPEAT_LOG_MS = 60_000;

interface NotReady {
  reason: 'database unreachable' | 'pending migrations' | 'shutting down';
  pendingMigrations?: string[];
  error?: string;
}

@Controller()
export class HealthController {
  private lastLogged?: { key: string; at: number };

  constructor(
    private readonly orm: MikroORM,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly lifecycle: Lifecycle,
  ) {}

  /** Liveness: the process answers. */
  @Public()
  @Get('healthz')
  healthz() {
    return { status: 'ok' };
  }

  /**
   * Readiness: not shutting down, the database answers and no committed migration is pending.
   * The public answer says only ready or not (migration names tell a stranger the version);
   * the log says why.
   */
  @Public()
  @Get('readyz')
  async readyz(@Res({ passthrough: true }) res: Response) {
    const notReady = await this.check();
    if (!notReady) {
      if (this.lastLogged) this.logger.info({ event: 'readiness.ready' }, 'ready again');
      this.lastLogged = undefined;
      return { status: 'ready' };
    }
    this.warn(notReady);
    // The status is the answer a load balancer reads: set here, the body still returned.
    res.status(503);
    return { status: 'not ready' };
  }

  private async check(): Promise<NotReady | null> {
    // First: a load balancer must move traffic away while this process finishes its requests.
    if (this.lifecycle.shuttingDown) return { reason: 'shutting down' };
    try {
      await this.orm.em.getConnection().execute('select 1');
    } catch (err) {
      return { reason: 'database unreachable', error: err instanceof Error ? err.message : String(err) };
    }
    try {
      const pending = await pendingMigrations(this.orm);
      return pending.length > 0 ? { reason: 'pending migrations', pendingMigrations: pending } : null;
    } catch (err) {
      return { reason: 'database unreachable', error: err instanceof Error ? err.message : String(err) };
    }
  }

  private warn(notReady: NotReady): void {
    const key = `${notReady.reason} ${notReady.pendingMigrations?.join(',') ?? ''}`;
    const now = this.clock.now().getTime();
    if (this.lastLogged?.key === key && now - this.lastLogged.at < REPEAT_LOG_MS) return;
    this.lastLogged = { key, at: now };
    this.logger.warn({ event: 'readiness.not_ready', ...notReady }, `not ready: ${notReady.reason}`);
  }
}
