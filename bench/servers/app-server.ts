import 'reflect-metadata';
import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { RevocationFinalizer } from '../../src/revocation/revocation-finalizer.service';
import { processRole, startWorkers } from '../../src/cluster';
import { createLogger, type Logger } from '../../src/common/logger';
import type { AppConfig } from '../../src/config/config';
import { runJobs, serve } from '../../src/server';
import { benchConfig, maxRssMb } from '../lib/env';

/**
 * The real app, started as main.ts starts it, in NODE_ENV=production (see lib/env.ts), in a
 * process of its own: one process, or with WEB_CONCURRENCY > 1 the primary of HTTP workers
 * and a jobs process. It tells its parent its port and whether the view cache is on; on
 * request it runs a scheduled job's work where the scheduler would (the jobs process).
 */
interface Task {
  id: number;
  run: string;
  args: unknown[];
}

async function main() {
  const config = benchConfig();
  const logger = createLogger(config.logLevel);
  if (cluster.isPrimary && config.workers > 1) return primary(config, logger);

  const role = processRole();
  const app = role === 'jobs' ? await runJobs(config, logger) : await serve(config, logger, role === 'all');
  process.on('message', (msg: Task) => {
    if (typeof msg !== 'object' || msg.run === undefined) return;
    void (async () => {
      try {
        const started = performance.now();
        const result = await runInServer(app, msg.run, msg.args);
        process.send!({ id: msg.id, ok: true, result, ms: performance.now() - started, maxRssMb: maxRssMb() });
      } catch (err) {
        process.send!({ id: msg.id, ok: false, error: err instanceof Error ? err.stack : String(err) });
      }
    })();
  });
  if (role === 'jobs') return;
  const server = app as NestExpressApplication;
  process.send!({
    ready: true,
    port: (server.getHttpServer().address() as AddressInfo).port,
    viewCache: server.getHttpAdapter().getInstance().get('view cache'),
    env: config.env,
    isProduction: config.isProduction,
    workers: config.workers,
  });
  // Requests that the load generator gave up on may still be running: let them finish
  // before the pool closes under them.
  if (role === 'all') process.on('disconnect', () => setTimeout(() => void app.close().then(() => process.exit(0)), 2_000));
}

/** The primary: starts the processes, passes the parent's tasks to the jobs process and the answers back. */
async function primary(config: AppConfig, logger: Logger) {
  const firstReady = new Promise<object>((resolve) => {
    const onMessage = (_w: unknown, msg: { ready?: boolean }) => {
      if (!msg.ready) return;
      cluster.off('message', onMessage);
      resolve(msg);
    };
    cluster.on('message', onMessage);
  });
  const workers = await startWorkers(config.workers, logger, __filename);
  const ready = await firstReady;
  cluster.on('message', (_w, msg: { id?: number }) => msg.id !== undefined && process.send!(msg));
  process.on('message', (msg: Task) => workers.get('jobs')!.send(msg));
  process.send!(ready);
  process.on('disconnect', () => setTimeout(() => void workers.stop().then(() => process.exit(0)), 2_000));
}

async function runInServer(app: INestApplication | INestApplicationContext, what: string, args: unknown[]): Promise<unknown> {
  if (what === 'revocations') {
    return app.get(RevocationFinalizer).runDue(new Date(String(args[0])));
  }
  throw new Error(`unknown task ${what}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
