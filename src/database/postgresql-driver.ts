import type { Configuration } from '@mikro-orm/core';
import type { PostgreSqlDriver } from '@mikro-orm/postgresql';

/** PostgreSQL's "invalid catalog name": the database in the URL does not exist. */
const DATABASE_MISSING = '3D000';

/**
 * The hub's database does not exist (a typo in DATABASE_URL, or not created yet). Printed as
 * it is, without a stack trace: it is the operator's to fix, not a bug.
 */
export class DatabaseMissingError extends Error {
  constructor(readonly database: string) {
    super(
      `The PostgreSQL database "${database}" does not exist. Check the database name in DATABASE_URL, ` +
        'or create the database (createdb), then run npm run db:migrate. The hub does not create databases in production.',
    );
    this.name = 'DatabaseMissingError';
    this.stack = this.message;
  }
}

/**
 * MikroORM's PostgreSQL driver that, with `ensureDatabase: false`, fails to connect to a
 * database that does not exist, instead of starting on it and failing every query. (With
 * `ensureDatabase` on, MikroORM creates the missing database: development and tests only.)
 * The driver's class is passed in: the pg driver is loaded only when the hub uses PostgreSQL.
 */
export function checkedPostgreSqlDriver(Driver: typeof PostgreSqlDriver): typeof PostgreSqlDriver {
  return class CheckedPostgreSqlDriver extends Driver {
    constructor(config: Configuration) {
      super(config);
    }

    override async connect(): ReturnType<PostgreSqlDriver['connect']> {
      const connection = await super.connect();
      if (this.config.get('ensureDatabase') === false) {
        const check = await connection.checkConnection();
        if (!check.ok && (check.error as { code?: string } | undefined)?.code === DATABASE_MISSING) {
          await connection.close(true);
          throw new DatabaseMissingError(this.config.get('dbName'));
        }
      }
      return connection;
    }
  };
}
