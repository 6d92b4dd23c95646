import type { Server } from 'node:http';
import type { INestApplication, INestApplicationContext, LoggerService } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { NestFactory } from '@nestjs/core';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppModule } from './app.module';
import { configureApp, ROUTING } from './app.setup';
import { reportJobsReady } from './cluster';
import { AfterResponse } from './common/after-response';
import { closeConnectionsWhenStopping, closeHttpServer, drainDelayMs, Lifecycle } from './common/lifecycle';
import type { Logger } from './common/logger';
import { stopJobs } from './common/schedule';
import { listeningOn, type AppConfig } from './config/config';
import { migrateUp } from './database/migrations';
import { forBatchWork } from './database/orm.config';
import { DemoSeedService } from './demo/demo-seed.service';

const DEMO_OWNER = 'owner@demo.example';

/**
 * How often Node checks requests against headersTimeout and requestTimeout (its default, 30 s,
 * would let a 20 s limit run to 50 s).
 */
const TIMEOUT_CHECK_MS = 1_000;

/**
 * Nest's errors and warnings as JSON lines through the app's logger (its console logger prints
 * coloured text); its progress messages (routes mapped) are dropped. Nothing during creation:
 * a failed start is main.ts's one line.
 */
class NestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log() {}
  error(message: unknown, ...rest: unknown[]) {
    const [stack, context] = rest.length > 1 ? rest : [undefined, rest[0]];
    this.logger.error({ event: 'nest', context, stack }, message instanceof Error ? message.message : String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ event: 'nest', context }, String(message));
  }
}

/**
 * The hub's HTTP server: the whole hub (`withJobs`: start-up tasks and scheduled jobs too) or
 * one HTTP worker of several, beside a jobs process (runJobs). Stop it with `shutDown`.
 */
export async function serve(config: AppConfig, logger: Logger, withJobs: boolean): Promise<INestApplication> {
  if (!withJobs) config = { ...config, jobs: { ...config.jobs, enabled: false } };
  const app = await NestFactory.create(AppModule.forRoot({ config, logger }), {
    ...ROUTING,
    bodyParser: false,
    logger: false,
    abortOnError: false,
  });
  app.useLogger(new NestLogger(logger));
  configureApp(app);
  if (withJobs) await startUpTasks(app, config, logger);
  const server = app.getHttpServer() as Server;
  server.headersTimeout = config.http.headersTimeoutMs;
  server.requestTimeout = config.http.requestTimeoutMs;
  server.keepAliveTimeout = config.http.keepAliveTimeoutMs;
  // Read when the server starts listening.
  (server as { connectionsCheckingInterval?: number }).connectionsCheckingInterval = TIMEOUT_CHECK_MS;
  closeConnectionsWhenStopping(server, app.get(Lifecycle));
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
    logger: false,
    abortOnError: false,
  });
  app.useLogger(new NestLogger(logger));
  await startUpTasks(app, config, logger);
  reportJobsReady();
  return app;
}

/**
 * The shutdown sequence (main.ts runs it on SIGTERM/SIGINT, within SHUTDOWN_TIMEOUT_SECONDS):
 * readiness turns 503 at once; after the drain delay the server stops accepting and closes
 * each keep-alive connection once its answer is sent; scheduled jobs start no new run; then the
 * requests, job runs and after-response work in flight finish, and app.close() runs the
 * modules' shutdown hooks (the outbox's send in flight, the database pool).
 */
export async function shutDown(app: INestApplication | INestApplicationContext, config: AppConfig, signal: NodeJS.Signals): Promise<void> {
  app.get(Lifecycle).beginShutdown();
  const stopping: Promise<void>[] = [stopJobs(app.get(SchedulerRegistry))];
  if ('getHttpServer' in app) {
    const delay = drainDelayMs(signal, config.http.shutdownTimeoutMs);
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    stopping.push(closeHttpServer(app.getHttpServer() as Server));
  }
  await Promise.all(stopping);
  await app.get(AfterResponse).idle();
  await app.close();
}

/** Development migrations and the demo seed on an empty database: once, before any request. */
async function startUpTasks(app: INestApplicationContext, config: AppConfig, logger: Logger): Promise<void> {
  // Production applies migrations as a release step (npm run db:migrate); development here.
  if (!config.isProduction) {
    const applied = await migrateUp(app.get(MikroORM));
    if (applied.length) logger.info({ applied }, 'migrations applied');
  }
  const result =
    config.demoSeed && !config.isProduction
      ? await app.get(DemoSeedService).seedIfEmpty({ partnerName: 'Demo Partner', count: 300, ownerEmail: DEMO_OWNER })
      : null;
  if (result) {
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
