import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { AppModule } from '../app.module';
import { createLogger } from '../common/logger';
import type { AppConfig } from '../config/config';
import { forBatchWork } from '../database/orm.config';

/**
 * The app's services without an HTTP server, for operator commands. Scheduled jobs stay off:
 * a command does its one thing and exits. Commands are batch work: the jobs' statement timeout.
 */
export async function withAppContext<T>(config: AppConfig, fn: (app: INestApplicationContext) => Promise<T>): Promise<T> {
  const cliConfig: AppConfig = { ...forBatchWork(config), jobs: { ...config.jobs, enabled: false } };
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config: cliConfig, logger: createLogger(config.logLevel) }), {
    // Nest's console logger would print the error again, in colour over many lines: the
    // command reports it in one (runCli). An unreachable database is an exit code 1, not an abort.
    logger: false,
    abortOnError: false,
  });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}
