import 'reflect-metadata';
import cluster from 'node:cluster';
import { createRequire } from 'node:module';
import { processRole, startWorkers } from './cluster';
import { createLogger } from './common/logger';
import { ConfigError, listeningOn, loadConfig, type AppConfig } from './config/config';

// The primary of several workers only supervises them: it does not load the app.
const load = createRequire(__filename);
const server = () => load('./server') as typeof import('./server');

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
  if (cluster.isWorker) {
    if (processRole() === 'web') return void (await server().serve(config, logger, false));
    const jobs = await server().runJobs(config, logger);
    // Without scheduled jobs its work ends with the start-up tasks.
    if (!config.jobs.enabled) await jobs.close().then(() => process.exit(0));
    return;
  }
  if (config.workers === 1) {
    await server().serve(config, logger, true);
    return;
  }

  const workers = await startWorkers(config.workers, logger).catch((err: Error) => {
    console.error(`Partner Hub did not start: ${err.message}`);
    return process.exit(1);
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void workers.stop().then(() => process.exit(0)));
  }
  console.log(`Partner Hub listening on ${listeningOn(config)} with ${config.workers} HTTP workers and a jobs process`);
}

void bootstrap();
