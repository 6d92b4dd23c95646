import type { MikroORM } from '@mikro-orm/core';
import type { AbstractSqlConnection } from '@mikro-orm/knex';
import type { Migrator } from '@mikro-orm/migrations';

/** The PostgreSQL advisory lock that `db:migrate` runs hold: any constant the hub alone uses. */
const MIGRATION_LOCK_KEY = 7_414_756_330_021;
/** The migrator's table (ormOptions' migrations.tableName). */
export const MIGRATIONS_TABLE = 'mikro_orm_migrations';
/** How long a migration run waits for another one on SQLite (its busy timeout meanwhile). */
const SQLITE_MIGRATION_WAIT_MS = 600_000;

interface KnexClient {
  dialect: string;
  acquireRawConnection(): Promise<PgConnection>;
  destroyRawConnection(conn: PgConnection): Promise<void>;
}
interface PgConnection {
  query(sql: string, values?: unknown[]): Promise<unknown>;
}

/** A database with tables of its own and no record of the hub's migrations: not the hub's to migrate. */
export class ForeignDatabase extends Error {}

/** How many of a foreign database's tables its refusal names. */
const TABLES_NAMED = 5;

/**
 * Applies every pending committed migration; returns their names. Runs that start together
 * (several `db:migrate`, or one beside a development start) wait for each other: the first
 * applies the migrations, the others find nothing left to do.
 */
export async function migrateUp(orm: MikroORM): Promise<string[]> {
  return withMigrationLock(orm, async () => {
    const done = await orm.getMigrator().up();
    return done.map((m) => m.name);
  });
}

export async function pendingMigrations(orm: MikroORM): Promise<string[]> {
  const pending = await (orm.getMigrator() as Migrator).getPendingMigrations();
  return pending.map((m) => m.name);
}

/**
 * PostgreSQL: a session advisory lock, held on a connection of its own (outside the pool, so
 * the migrator keeps every pooled one; no statement timeout, so it waits as long as the other
 * run takes). Without it two runs both create the migrations table and apply the same
 * migration, and one fails on the other's table.
 * SQLite: the migrator applies the pending migrations in one immediate transaction (it reads
 * which are applied inside it), so the write lock already orders the runs; here the wait for
 * that lock is made long enough for another run's migrations. Its migrations table is created
 * first with `if not exists`: the migrator checks for the table, then creates it, and two runs
 * that start together on a new database both try to (one failed with "already exists").
 * Either way nothing is written to a database that has tables and no migrations of the hub's
 * (SQLITE_PATH or DATABASE_URL pointed at another application's database): ForeignDatabase.
 */
async function withMigrationLock<T>(orm: MikroORM, fn: () => Promise<T>): Promise<T> {
  const knex = (orm.em.getConnection() as AbstractSqlConnection).getKnex();
  const client = knex.client as unknown as KnexClient;
  if (client.dialect === 'postgresql') {
    const conn = await client.acquireRawConnection();
    try {
      await conn.query('set statement_timeout = 0');
      await conn.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      try {
        await refuseForeignDatabase(knex, 'postgresql');
        return await fn();
      } finally {
        await conn.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      }
    } finally {
      await client.destroyRawConnection(conn);
    }
  }
  const [{ timeout }] = (await knex.raw('pragma busy_timeout')) as [{ timeout: number }];
  await knex.raw(`pragma busy_timeout = ${Math.max(timeout, SQLITE_MIGRATION_WAIT_MS)}`);
  try {
    await refuseForeignDatabase(knex, 'sqlite');
    // The migrator's own definition of the table (MigrationStorage.ensureTable).
    await knex.raw(
      `create table if not exists \`${MIGRATIONS_TABLE}\` (\`id\` integer not null primary key autoincrement, \`name\` varchar(255), \`executed_at\` datetime default CURRENT_TIMESTAMP)`,
    );
    return await fn();
  } finally {
    await knex.raw(`pragma busy_timeout = ${timeout}`);
  }
}

type Knex = ReturnType<AbstractSqlConnection['getKnex']>;

async function refuseForeignDatabase(knex: Knex, dialect: 'sqlite' | 'postgresql'): Promise<void> {
  const tables = (await knex.raw(dialect === 'sqlite' ? SQLITE_TABLES : POSTGRESQL_TABLES)) as
    { name: string }[] | { rows: { name: string }[] };
  const names = (Array.isArray(tables) ? tables : tables.rows).map((t) => t.name);
  const others = names.filter((name) => name !== MIGRATIONS_TABLE);
  if (others.length === 0) return;
  if (names.includes(MIGRATIONS_TABLE)) {
    const table = dialect === 'sqlite' ? knex(MIGRATIONS_TABLE) : knex(MIGRATIONS_TABLE).withSchema('public');
    const [{ n }] = (await table.count({ n: '*' })) as { n: number | string }[];
    if (Number(n) > 0) return;
  }
  const named =
    others.slice(0, TABLES_NAMED).join(', ') + (others.length > TABLES_NAMED ? `, and ${others.length - TABLES_NAMED} more` : '');
  throw new ForeignDatabase(
    `This database is not the hub's: it has tables of its own (${named}) and no record of the hub's migrations. ` +
      `Nothing was written. Point ${dialect === 'sqlite' ? 'SQLITE_PATH' : 'DATABASE_URL'} at a new, empty database or at the hub's own.`,
  );
}

const SQLITE_TABLES = "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name";

/**
 * The tables where the hub's would go: the current schema, and public, where the migrator keeps
 * its table. Views, and the tables an extension brings (PostGIS's spatial_ref_sys), are no
 * other application's data.
 */
const POSTGRESQL_TABLES = `select c.relname as name from pg_class c join pg_namespace ns on ns.oid = c.relnamespace
   where ns.nspname in ('public', current_schema()) and c.relkind in ('r', 'p')
     and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
   order by c.relname`;
