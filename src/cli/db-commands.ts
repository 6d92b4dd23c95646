import { MikroORM } from '@mikro-orm/core';
import type { Migrator } from '@mikro-orm/migrations';
import type { AppConfig } from '../config/config';
import { migrateUp } from '../database/migrations';
import { dialectOf, migrationsFolder, ormOptions } from '../database/orm.config';

async function withOrm<T>(config: AppConfig, fn: (orm: MikroORM) => Promise<T>, writeSnapshot = false): Promise<T> {
  const orm = await MikroORM.init(ormOptions(config, { writeSnapshot }));
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
