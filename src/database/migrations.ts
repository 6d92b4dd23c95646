import type { MikroORM } from '@mikro-orm/core';
import type { Migrator } from '@mikro-orm/migrations';

/** Applies every pending committed migration; returns their names. */
export async function migrateUp(orm: MikroORM): Promise<string[]> {
  const done = await orm.getMigrator().up();
  return done.map((m) => m.name);
}

export async function pendingMigrations(orm: MikroORM): Promise<string[]> {
  const pending = await (orm.getMigrator() as Migrator).getPendingMigrations();
  return pending.map((m) => m.name);
}
