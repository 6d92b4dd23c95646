import type { MikroORM } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTITIES } from '../../src/app.entities';
import { pendingMigrations } from '../../src/database/migrations';
import { UsersService } from '../../src/users/users.service';
import { createMember, createPartner } from '../factories';
import { createTestApp, type TestApp } from '../support/app';
import { onPostgres } from '../support/database';

/**
 * SQLite's schema diff reports false changes for CHECK constraints, so there the two schemas
 * are compared through SQLite's own description of them: columns, indexes and foreign keys.
 */
async function describeSqlite(orm: MikroORM) {
  const conn = orm.em.getConnection();
  const tables = (await conn.execute<{ name: string }[]>(
    "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name != 'mikro_orm_migrations' order by name",
  )) as { name: string }[];
  const out: Record<string, unknown> = {};
  for (const { name } of tables) {
    const columns = await conn.execute(`pragma table_xinfo('${name}')`);
    const indexes = (await conn.execute(`pragma index_list('${name}')`)) as { name: string; unique: number }[];
    const indexCols: Record<string, unknown> = {};
    for (const idx of indexes) indexCols[idx.name] = { unique: idx.unique, cols: await conn.execute(`pragma index_info('${idx.name}')`) };
    const fks = await conn.execute(`pragma foreign_key_list('${name}')`);
    const sql = (await conn.execute(`select sql from sqlite_master where name = '${name}'`)) as { sql: string }[];
    const checks = [...sql[0].sql.matchAll(/check \((.*?)\)\)?/g)].map((m) => m[1]).sort();
    out[name] = { columns, indexes: indexCols, fks, checks };
  }
  return out;
}

describe(`database schema on ${onPostgres() ? 'PostgreSQL' : 'SQLite'}`, () => {
  let migrated: TestApp;
  let fromEntities: TestApp;
  beforeAll(async () => {
    migrated = await createTestApp();
    fromEntities = await createTestApp({ migrate: false });
    await fromEntities.orm.schema.createSchema();
  });
  afterAll(async () => {
    await migrated.close();
    await fromEntities.close();
  });

  it('is built entirely by the committed migrations, which match the entities', async () => {
    expect(await pendingMigrations(migrated.orm)).toEqual([]);
    if (onPostgres()) {
      const diff = await migrated.orm.schema.getUpdateSchemaSQL({ wrap: false, dropTables: true });
      expect(diff.trim()).toBe('');
    } else {
      expect(await describeSqlite(migrated.orm)).toEqual(await describeSqlite(fromEntities.orm));
    }
  });

  it('has the entities the modules register, which app.entities.ts lists for the CLI', () => {
    const registered = Object.values(migrated.orm.getMetadata().getAll()).map((meta) => meta.className);
    expect(registered.sort()).toEqual(ENTITIES.map((entity) => entity.name).sort());
  });

  it('rolls every migration down and up again to the same schema', async () => {
    const before = onPostgres() ? '' : JSON.stringify(await describeSqlite(migrated.orm));
    await migrated.orm.getMigrator().down({ to: 0 });
    expect((await pendingMigrations(migrated.orm)).length).toBeGreaterThan(0);
    await migrated.orm.getMigrator().up();
    if (onPostgres()) {
      expect((await migrated.orm.schema.getUpdateSchemaSQL({ wrap: false, dropTables: true })).trim()).toBe('');
    } else {
      expect(JSON.stringify(await describeSqlite(migrated.orm))).toBe(before);
    }
  });

  it('gives a pending invitation the name its team typed, from its invitation event, when the column comes', async () => {
    const em = migrated.em();
    const partner = await createPartner(em);
    const invited = await migrated.app
      .get(UsersService)
      .invite(partner.id, { email: 'typed@example.com', name: 'Name The Team Typed', role: 'member' }, null);
    const joined = await createMember(em, partner, { name: 'Joined Person' });
    await migrated.orm.getMigrator().down({ to: 'Migration20261202090000' });
    await migrated.orm.getMigrator().up();
    const names = (await em
      .getConnection()
      .execute('select id, invited_name from membership where id in (?, ?)', [invited.id, joined.membership.id])) as {
      id: string;
      invited_name: string | null;
    }[];
    expect(Object.fromEntries(names.map((r) => [r.id, r.invited_name]))).toEqual({
      [invited.id]: 'Name The Team Typed',
      [joined.membership.id]: null,
    });
  });
});
