import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { reportJobsReady } from './cluster';
import type { Logger } from './common/logger';
import { listeningOn, type AppConfig } from './config/config';
import { migrateUp } from './database/migrations';
import { forBatchWork } from './database/orm.config';
import { DemoSeedService } from './demo/demo-seed.service';

const DEMO_OWNER = 'owner@demo.example';

/**
 * The hub's HTTP server: the whole hub (`withJobs`: start-up tasks and scheduled jobs too) or
 * one HTTP worker of several, beside a jobs process (runJobs).
 */
export async function serve(config: AppConfig, logger: Logger, withJobs: boolean): Promise<INestApplication> {
  if (!withJobs) config = { ...config, jobs: { ...config.jobs, enabled: false } };
  const app = await NestFactory.create(AppModule.forRoot({ config, logger }), {
    bodyParser: false,
    logger: ['error', 'warn'],
  });
  configureApp(app);
  app.enableShutdownHooks();
  if (withJobs) await startUpTasks(app, config, logger);
  await app.listen(config.port, config.host);
  if (withJobs) console.log(`Partner Hub listening on ${listeningOn(config)}`);
  return app;
}

/**
 * The jobs process beside HTTP workers: the start-up tasks, then the scheduled jobs; it
 * serves no request. With JOBS_ENABLED=false its work ends with the start-up tasks.
 */
export async function runJobs(config: AppConfig, logger: Logger): Promise<INestApplicationContext> {
  // Batch work: the jobs' longer statement timeout.
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config: forBatchWork(config), logger }), {
    logger: ['error', 'warn'],
  });
  app.enableShutdownHooks();
  await startUpTasks(app, config, logger);
  reportJobsReady();
  return app;
}

/** Development migrations and the demo seed on an empty database: once, before any request. */
async function startUpTasks(app: INestApplicationContext, config: AppConfig, logger: Logger): Promise<void> {
  // Production applies migrations as a release step (npm run db:migrate); development here.
  if (!config.isProduction) {
    const applied = await migrateUp(app.get(MikroORM));
    if (applied.length) logger.info({ applied }, 'migrations applied');
  }
  const demo = app.get(DemoSeedService);
  if (config.demoSeed && !config.isProduction && (await demo.isEmpty())) {
    const result = await demo.seed({ partnerName: 'Demo Partner', count: 300, ownerEmail: DEMO_OWNER });
    console.log(
      [
        '',
        '  Demo partner seeded with 300 numbers (development only). Sign in with:',
        `    email:    ${result.owner!.email}`,
        `    password: ${result.owner!.password}`,
        '',
      ].join('\n'),
    );
  }
}
