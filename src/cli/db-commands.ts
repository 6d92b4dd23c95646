import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import type { Migrator } from '@mikro-orm/migrations';
import { ENTITIES } from '../app.entities';
import type { AppConfig } from '../config/config';
import { migrateUp } from '../database/migrations';
import { dialectOf, forBatchWork, migrationsFolder, ormOptions } from '../database/orm.config';
import { backupSqlite } from '../database/sqlite-backup';
import { UsageError } from './usage-error';

async function withOrm<T>(config: AppConfig, fn: (orm: MikroORM) => Promise<T>, writeSnapshot = false): Promise<T> {
  // Migrations are batch work: the jobs' statement timeout.
  const orm = await MikroORM.init(ormOptions(forBatchWork(config), { entities: ENTITIES, writeSnapshot }));
  try {
    return await fn(orm);
  } finally {
    await orm.close(true);
  }
}

export async function dbMigrate(config: AppConfig): Promise<void> {
  await withOrm(config, async (orm) => {
    const names = await migrateUp(orm);
    console.log(names.length ? `Applied ${names.length} migration(s): ${names.join(', ')}` : 'The database is up to date.');
  });
}

/** Writes a migration for the difference between the entities and the last snapshot. */
export async function dbDiff(config: AppConfig, initial: boolean): Promise<void> {
  await withOrm(
    config,
    async (orm) => {
      const migrator = orm.getMigrator() as Migrator;
      const result = initial
        ? await migrator.createInitialMigration(migrationsFolder(dialectOf(config)))
        : await migrator.createMigration();
      if (!result.fileName) {
        console.log('No changes: the entities match the last migration.');
        return;
      }
      console.log(`Wrote migrations/${dialectOf(config)}/${result.fileName}: read it, then add it to the list in index.ts.`);
    },
    true,
  );
}

/**
 * A consistent copy of the SQLite database while the hub runs (SQLite's online backup API).
 * PostgreSQL has its own tools; an existing file is never overwritten.
 */
export async function dbBackup(config: AppConfig, file: string): Promise<void> {
  if (dialectOf(config) === 'postgresql') {
    throw new UsageError(
      'db:backup copies the SQLite database. On PostgreSQL use pg_dump -Fc (restore with pg_restore) or your provider’s snapshots.',
    );
  }
  const source = config.database.sqlitePath;
  if (source === ':memory:') throw new UsageError('db:backup needs a database file: SQLITE_PATH is :memory:.');
  const target = resolve(file);
  if (target === resolve(source)) throw new UsageError('db:backup cannot write over the database itself.');
  if (existsSync(target)) throw new UsageError(`${file} already exists: db:backup does not overwrite a file.`);
  if (!existsSync(dirname(target))) throw new UsageError(`The folder of ${file} does not exist.`);
  if (!existsSync(source)) throw new UsageError(`There is no database at ${source} (SQLITE_PATH) to back up.`);
  const { pages } = await backupSqlite(source, target, config.database.sqliteBusyTimeoutMs);
  console.log(`Backed up ${source} to ${file} (${pages} pages).`);
}
