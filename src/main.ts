import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/core';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { createLogger } from './common/logger';
import { ConfigError, loadConfig } from './config/config';
import { migrateUp } from './database/migrations';
import { DemoSeedService } from './demo/demo-seed.service';

const DEMO_OWNER = 'owner@demo.example';

async function bootstrap(): Promise<void> {
  let config;
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
  const app = await NestFactory.create(AppModule.forRoot({ config, logger }), {
    bodyParser: false,
    logger: ['error', 'warn'],
  });
  configureApp(app);
  app.enableShutdownHooks();

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
  await app.listen(config.port, config.host);
  console.log(
    `Partner Hub listening on ${config.baseUrl} (${config.database.url ? 'PostgreSQL' : `SQLite ${config.database.sqlitePath}`})`,
  );
}

void bootstrap();
