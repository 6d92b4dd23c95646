import 'reflect-metadata';
import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { processRole, startWorkers } from './cluster';
import { stopOnSignals } from './common/lifecycle';
import { createLogger, scrubSecrets } from './common/logger';
import { ConfigError, listeningOn, loadConfig, type AppConfig } from './config/config';

// The primary of several workers only supervises them: it does not load the app.
const load = createRequire(__filename);
const server = () => load('./server') as typeof import('./server');

/** The primary gives its processes this much longer than their own bound before SIGKILL. */
const STOP_MARGIN_MS = 5_000;

/** A failed start is one plain line (no stack trace, no secret) and exit code 1. */
function didNotStart(err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  console.error(scrubSecrets(`Partner Hub did not start: ${message.split('\n')[0]}`));
  process.exit(1);
}

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const timeoutMs = config.http.shutdownTimeoutMs;
  // A mistyped SQLITE_PATH or a lost volume would otherwise look like a hub whose data is gone.
  if (!cluster.isWorker && !config.database.url && config.database.sqlitePath !== ':memory:' && !existsSync(config.database.sqlitePath)) {
    logger.warn(
      { event: 'database.created', file: config.database.sqlitePath },
      'no SQLite database at this path: starting a new, empty one',
    );
  }
  if (cluster.isWorker && processRole() === 'jobs') {
    const jobs = await server().runJobs(config, logger).catch(didNotStart);
    // Without scheduled jobs its work ends with the start-up tasks.
    if (!config.jobs.enabled) await jobs.close().then(() => process.exit(0));
    stopOnSignals((signal) => server().shutDown(jobs, config, signal), timeoutMs, logger);
    return;
  }
  if (cluster.isWorker || config.workers === 1) {
    const app = await server().serve(config, logger, !cluster.isWorker).catch(didNotStart);
    stopOnSignals((signal) => server().shutDown(app, config, signal), timeoutMs, logger);
    return;
  }

  const workers = await startWorkers(config.workers, logger, undefined, { stopTimeoutMs: timeoutMs + STOP_MARGIN_MS }).catch(didNotStart);
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info({ event: 'shutdown.started', signal }, 'stopping the hub processes');
      void workers.stop().then((clean) => process.exit(clean ? 0 : 1));
    });
  }
  console.log(`Partner Hub listening on ${listeningOn(config)} with ${config.workers} HTTP workers and a jobs process`);
}

void bootstrap();
