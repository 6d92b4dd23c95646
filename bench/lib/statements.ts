import { createRequire } from 'node:module';
import { Client } from 'pg';

type Methods = Record<'all' | 'get' | 'run' | 'iterate', (...args: unknown[]) => unknown>;
/** The part of better-sqlite3 used here (the package ships no types). */
const Sqlite = createRequire(__filename)('better-sqlite3') as new (file: string) => { prepare(sql: string): object; close(): void };

export interface StatementRecorder {
  /** The text of each statement sent since the recorder started, in order. */
  readonly sent: readonly string[];
  /** Puts the drivers back as they were. */
  stop(): void;
}

/**
 * Records every statement sent to the database (either kind) from now until `stop()`, at the
 * drivers: the ORM's, Sql's reader's, transactions' own, and anything else this process sends.
 * The bench counts a key check's statements with it; the tests look for what a page sends.
 */
export function recordStatements(): StatementRecorder {
  const sent: string[] = [];
  const query = Client.prototype.query;
  Client.prototype.query = function (this: Client, ...args: unknown[]) {
    const first = args[0] as string | { text?: string };
    sent.push(typeof first === 'string' ? first : String(first?.text));
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  const probe = new Sqlite(':memory:');
  const statement = Object.getPrototypeOf(probe.prepare('select 1')) as Methods;
  probe.close();
  const originals: Methods = { all: statement.all, get: statement.get, run: statement.run, iterate: statement.iterate };
  for (const method of Object.keys(originals) as (keyof Methods)[]) {
    statement[method] = function (this: { source: string }, ...args: unknown[]) {
      sent.push(this.source);
      return originals[method].apply(this, args);
    };
  }
  return {
    sent,
    stop() {
      Client.prototype.query = query;
      Object.assign(statement, originals);
    },
  };
}
