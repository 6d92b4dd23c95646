import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { MikroORM, type EntityManager } from '@mikro-orm/core';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request, { type Response, type Test } from 'supertest';
import { AppModule } from '../../src/app.module';
import { configureApp, ROUTING } from '../../src/app.setup';
import { AfterResponse } from '../../src/common/after-response';
import { createLogger } from '../../src/common/logger';
import { loadConfig, type AppConfig } from '../../src/config/config';
import { migrateUp } from '../../src/database/migrations';
import { TestClock } from './clock';
import { freePort } from './ports';
import { createTestDatabase, type TestDatabase } from './database';
import { startSmtp, type TestSmtp } from './smtp';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  /** Its database, for another instance on it (`createTestApp({ database })`). */
  database: TestDatabase;
  clock: TestClock;
  orm: MikroORM;
  /** A fresh entity manager for reading and arranging data. */
  em(): EntityManager;
  /** The app's HTTP server, for supertest. */
  http(): ReturnType<typeof request>;
  agent(): ReturnType<typeof request.agent>;
  /**
   * Every answer under /api/ that http() and agent() received, oldest first: the API suites
   * check each one against their document (ApiContract.expectEvery).
   */
  apiAnswers: ApiAnswer[];
  /** Base URL of the listening server (listen: true). */
  url: string;
  logs: string[];
  /** Waits for the work that requests left to run after their answers (AfterResponse). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  clock?: TestClock;
  /** Start an HTTP listener (browser tests, SMTP links, several instances). */
  listen?: boolean;
  /** Share another app's database instead of making a new one (several instances). */
  database?: TestDatabase;
  migrate?: boolean;
  /** Rearranges the app module's imports (to prove nothing depends on their order). */
  imports?: (declared: ModuleImports) => ModuleImports;
}

export type ModuleImports = NonNullable<DynamicModule['imports']>;

/**
 * The real app, as main.ts builds it (configureApp, migrations, real database), with a test
 * clock and its own database. Logs are kept in memory so tests can read what was logged.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const ownsDatabase = !options.database;
  // A listening app learns its port before its config is made, so that APP_BASE_URL (links in
  // emails, the CSRF Origin check) is the server's own origin.
  const listenEnv: Record<string, string> = {};
  if (options.listen && !options.env?.PORT) {
    const port = await freePort();
    listenEnv.PORT = String(port);
    if (!options.env?.APP_BASE_URL) listenEnv.APP_BASE_URL = `http://127.0.0.1:${port}`;
  }
  const config = loadConfig({
    NODE_ENV: 'test',
    JOBS_ENABLED: 'false',
    DEMO_SEED: 'false',
    LOG_LEVEL: 'info',
    MAIL_DIR: `${database.env.SQLITE_PATH ?? '/tmp/hub-test'}-mail`,
    ...database.env,
    ...listenEnv,
    ...options.env,
  });
  const clock = options.clock ?? new TestClock();
  const logs: string[] = [];
  // Structured lines are kept for the test to read instead of printed.
  const logger = createLogger(config.logLevel, { write: (line: string) => void logs.push(line) });
  const appModule = AppModule.forRoot({ config, clock, logger });
  if (options.imports) appModule.imports = options.imports(appModule.imports ?? []);
  const app = await NestFactory.create<NestExpressApplication>(appModule, {
    ...ROUTING,
    bodyParser: false,
    logger: ['error'],
  });
  configureApp(app);
  const orm = app.get(MikroORM);
  if (options.migrate !== false) await migrateUp(orm);
  let url = '';
  if (options.listen) {
    await app.listen(config.port, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  } else {
    await app.init();
  }
  const apiAnswers: ApiAnswer[] = [];
  return {
    app,
    config,
    database,
    clock,
    orm,
    em: () => orm.em.fork(),
    http: () => recording(request(app.getHttpServer()), apiAnswers),
    agent: () => recording(request.agent(app.getHttpServer()), apiAnswers),
    apiAnswers,
    url,
    logs,
    settled: () => app.get(AfterResponse).idle(),
    close: async () => {
      try {
        await app.close();
      } finally {
        if (ownsDatabase) await database.drop();
      }
    },
  };
}

/**
 * A test app whose mail goes over SMTP to a server of its own (startSmtp); the app's close()
 * stops that server too.
 */
export async function createTestAppWithSmtp(options: TestAppOptions = {}): Promise<{ t: TestApp; smtp: TestSmtp }> {
  const smtp = await startSmtp();
  let t: TestApp;
  try {
    t = await createTestApp({ ...options, env: { ...options.env, SMTP_URL: smtp.url } });
  } catch (err) {
    await smtp.close();
    throw err;
  }
  const closeApp = t.close;
  t.close = async () => {
    await closeApp();
    await smtp.close();
  };
  return { t, smtp };
}

/** An answer of one of the hub's APIs, as a test received it. */
export interface ApiAnswer {
  method: string;
  /** The path asked for, without its query. */
  path: string;
  res: Response;
}

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);

/** A supertest client whose requests under /api/ leave their answers in `answers`. */
function recording<C extends object>(client: C, answers: ApiAnswer[]): C {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || !HTTP_METHODS.has(prop) || typeof value !== 'function') return value;
      return (url: string, ...rest: unknown[]) => {
        const test = (value as (...args: unknown[]) => Test).call(target, url, ...rest);
        if (url.startsWith('/api/'))
          test.on('response', (res: Response) => answers.push({ method: prop.toUpperCase(), path: url.split('?')[0], res }));
        return test;
      };
    },
  });
}
