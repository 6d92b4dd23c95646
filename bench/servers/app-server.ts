import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../../src/app.module';
import { RevocationService } from '../../src/revocation/revocation.service';
import { configureApp } from '../../src/app.setup';
import { createLogger } from '../../src/common/logger';
import { benchConfig, maxRssMb } from '../lib/env';

/**
 * The real app, built as main.ts builds it, in NODE_ENV=production (see lib/env.ts), in a
 * process of its own. It tells its parent its port and whether the view cache is on; on
 * request it runs a service method inside the serving process (a scheduled job's work).
 */
async function main() {
  const config = benchConfig();
  const logger = createLogger(config.logLevel);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ config, logger }), {
    bodyParser: false,
    logger: ['error', 'warn'],
  });
  configureApp(app);
  await app.listen(config.port, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;

  process.on('message', (msg: { id: number; run: string; args: unknown[] }) => {
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
  process.send!({
    ready: true,
    port,
    viewCache: app.getHttpAdapter().getInstance().get('view cache'),
    env: config.env,
    isProduction: config.isProduction,
  });
  // Requests that the load generator gave up on may still be running: let them finish
  // before the pool closes under them.
  process.on('disconnect', () => setTimeout(() => void app.close().then(() => process.exit(0)), 2_000));
}

async function runInServer(app: NestExpressApplication, what: string, args: unknown[]): Promise<unknown> {
  if (what === 'revocations') {
    return app.get(RevocationService).runDue(new Date(String(args[0])));
  }
  if (what === 'rss') return maxRssMb();
  throw new Error(`unknown task ${what}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
