import { MikroORM } from '@mikro-orm/core';
import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../common/public.decorator';
import { pendingMigrations } from '../database/migrations';

@Controller()
export class HealthController {
  constructor(private readonly orm: MikroORM) {}

  /** Liveness: the process answers. */
  @Public()
  @Get('healthz')
  healthz(@Res() res: Response) {
    res.json({ status: 'ok' });
  }

  /** Readiness: the database answers and no committed migration is pending. */
  @Public()
  @Get('readyz')
  async readyz(@Res() res: Response) {
    try {
      await this.orm.em.getConnection().execute('select 1');
      const pending = await pendingMigrations(this.orm);
      if (pending.length > 0) return res.status(503).json({ status: 'not ready', pendingMigrations: pending });
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'not ready', database: 'unreachable' });
    }
  }
}
