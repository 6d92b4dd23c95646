import { createHash } from 'node:crypto';
import { MikroORM } from '@mikro-orm/core';
import type { AbstractSqlConnection } from '@mikro-orm/knex';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { dialectOf } from './orm.config';

/** At most this many statements are kept prepared (per SQLite connection, per PostgreSQL process). */
const MAX_STATEMENTS = 200;

interface SqliteConnection {
  prepare(sql: string): { all(...params: unknown[]): unknown[] };
}
interface PgConnection {
  query(query: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}
type KnexClient = { acquireConnection(): Promise<unknown>; releaseConnection(conn: unknown): Promise<unknown> };

/** Parameters as SQLite stores what the ORM writes: dates as epoch milliseconds, booleans as 0/1. */
export function sqliteParams(params: readonly unknown[]): unknown[] {
  return params.map((v) => (v instanceof Date ? v.getTime() : typeof v === 'boolean' ? Number(v) : v));
}

/**
 * Plain SQL on the ORM's own connection pool, for the reads every page makes (its session, its
 * member, its numbers): each statement is prepared once per connection and run on the driver.
 * Through the ORM, building, logging and preparing the same SQL again cost more than running it.
 * SQL is written with `?` placeholders (and no `?` in literals); parameters are strings,
 * numbers, booleans or Dates. Rows come back as the driver gives them (SQLite: dates as epoch
 * ms; PostgreSQL: Date objects). Each read takes a connection of its own from the pool: not for
 * use inside a transaction (on SQLite the transaction holds the only one).
 */
@Injectable()
export class PreparedSql {
  private readonly sqlite = new WeakMap<object, Map<string, ReturnType<SqliteConnection['prepare']>>>();
  private readonly pgStatements = new Map<string, { name?: string; text: string }>();

  private readonly postgres: boolean;

  constructor(
    private readonly orm: MikroORM,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.postgres = dialectOf(config) === 'postgresql';
  }

  async all<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    const client = (this.orm.em.getConnection() as AbstractSqlConnection).getKnex().client as unknown as KnexClient;
    const conn = await client.acquireConnection();
    try {
      return (
        this.postgres ? await this.onPostgres(conn as PgConnection, sql, params) : this.onSqlite(conn as SqliteConnection, sql, params)
      ) as T[];
    } finally {
      await client.releaseConnection(conn);
    }
  }

  private onSqlite(conn: SqliteConnection, sql: string, params: readonly unknown[]): unknown[] {
    let statements = this.sqlite.get(conn);
    if (!statements) this.sqlite.set(conn, (statements = new Map()));
    let statement = statements.get(sql);
    if (!statement) {
      if (statements.size >= MAX_STATEMENTS) statements.clear();
      statements.set(sql, (statement = conn.prepare(sql)));
    }
    return statement.all(...sqliteParams(params));
  }

  private async onPostgres(conn: PgConnection, sql: string, params: readonly unknown[]): Promise<unknown[]> {
    let statement = this.pgStatements.get(sql);
    if (!statement) {
      let i = 0;
      const text = sql.replace(/\?/g, () => `$${++i}`);
      // Past the bound a statement runs unnamed, so the server keeps no more prepared ones.
      const name =
        this.pgStatements.size < MAX_STATEMENTS ? `hub_${createHash('sha1').update(text).digest('hex').slice(0, 20)}` : undefined;
      statement = { name, text };
      if (name) this.pgStatements.set(sql, statement);
    }
    return (await conn.query({ ...statement, values: [...params] })).rows;
  }
}
