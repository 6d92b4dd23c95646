import { Worker } from 'node:worker_threads';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { dialectOf, sqliteConnectionPragmas } from './orm.config';
import { PreparedSql, sqliteParams } from './prepared-sql';

/**
 * The worker thread: a read-only connection of its own to the database file (WAL lets it read
 * beside the app's writer) that runs each statement it is sent, prepared once.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const db = new (require(workerData.driver))(workerData.file, { readonly: true, fileMustExist: true });
for (const pragma of workerData.pragmas) db.pragma(pragma);
const statements = new Map();
parentPort.on('message', ({ id, sql, params }) => {
  try {
    let statement = statements.get(sql);
    if (!statement) statements.set(sql, (statement = db.prepare(sql)));
    parentPort.postMessage({ id, rows: statement.all(...params) });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.message || err) });
  }
});
`;

interface Waiting {
  resolve(rows: unknown[]): void;
  reject(err: Error): void;
}

/**
 * Reads that take long (a count over every number of a partner), kept off the event loop. The
 * SQLite driver is synchronous: a 130 ms count on the app's connection would hold up every
 * request of the process for as long. On a SQLite file these run on a worker thread, started
 * at the first such read; on PostgreSQL (asynchronous already) and an in-memory SQLite
 * database (no other connection sees it) they run through PreparedSql.
 */
@Injectable()
export class BackgroundReads implements OnModuleDestroy {
  private readonly file?: string;
  private readonly pragmas: string[];
  private thread?: { worker: Worker; waiting: Map<number, Waiting> };
  private seq = 0;

  constructor(
    private readonly sql: PreparedSql,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const { sqlitePath } = config.database;
    this.pragmas = sqliteConnectionPragmas(config);
    if (dialectOf(config) === 'sqlite' && sqlitePath !== ':memory:') this.file = sqlitePath;
  }

  /** Whether reads run on a worker thread (SQLite file) or on the pool. */
  get threaded(): boolean {
    return this.file !== undefined;
  }

  all<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    if (!this.file) return this.sql.all<T>(sql, params);
    const { worker, waiting } = this.thread ?? this.start(this.file);
    const id = ++this.seq;
    return new Promise<T[]>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as Waiting['resolve'], reject });
      worker.postMessage({ id, sql, params: sqliteParams(params) });
    });
  }

  async onModuleDestroy(): Promise<void> {
    const worker = this.thread?.worker;
    this.thread = undefined;
    await worker?.terminate();
  }

  private start(file: string): NonNullable<BackgroundReads['thread']> {
    const worker = new Worker(WORKER, {
      eval: true,
      workerData: { file, driver: require.resolve('better-sqlite3'), pragmas: this.pragmas },
    });
    // It never keeps the process alive: a CLI command ends when its work does.
    worker.unref();
    const thread = { worker, waiting: new Map<number, Waiting>() };
    worker.on('message', ({ id, rows, error }: { id: number; rows?: unknown[]; error?: string }) => {
      const waiting = thread.waiting.get(id);
      thread.waiting.delete(id);
      if (error !== undefined) waiting?.reject(new Error(error));
      else waiting?.resolve(rows!);
    });
    // A thread that failed or was stopped fails what it was running; the next read starts another.
    const fail = (err: Error) => {
      if (this.thread === thread) this.thread = undefined;
      for (const waiting of thread.waiting.values()) waiting.reject(err);
      thread.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the background read thread stopped (exit code ${code})`)));
    this.thread = thread;
    return thread;
  }
}
