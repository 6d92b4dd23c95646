import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { dialectOf } from './orm.config';

/**
 * The time the scheduled jobs run as. On PostgreSQL that is the database's clock, read once
 * per run: several instances share the database, and a job's claims, leases and due checks
 * must not depend on which instance's clock is right (an instance six minutes ahead would
 * otherwise take over emails still being sent and finalize revocations early). On SQLite
 * (one instance on one machine) it is the injected Clock.
 *
 * Under a test clock, PostgreSQL still answers with its own time: a test that needs a fixed
 * date calls the service with it (`sendDue(t.clock.now())`, `runDue(...)`) instead of a tick.
 */
@Injectable()
export class DatabaseClock {
  private readonly postgres: boolean;

  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.postgres = dialectOf(config) === 'postgresql';
  }

  async now(): Promise<Date> {
    if (!this.postgres) return this.clock.now();
    // clock_timestamp(), not now(): the time of this statement, not of an enclosing transaction.
    const rows = await this.em
      .fork()
      .getConnection()
      .execute<{ ms: number | string }[]>('select extract(epoch from clock_timestamp()) * 1000 as ms');
    return new Date(Math.floor(Number(rows[0].ms)));
  }
}
