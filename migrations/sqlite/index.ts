import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261126120610 } from './Migration20261126120610';
import { Migration20261130100000 } from './Migration20261130100000';
import { Migration20261130110000 } from './Migration20261130110000';
import { Migration20261130120000 } from './Migration20261130120000';
import { Migration20261130121000 } from './Migration20261130121000';
import { Migration20261130122000 } from './Migration20261130122000';
import { Migration20261130123000 } from './Migration20261130123000';
import { Migration20261130140000 } from './Migration20261130140000';
import { Migration20261130141000 } from './Migration20261130141000';
import { Migration20261130150000 } from './Migration20261130150000';
import { Migration20261130160000 } from './Migration20261130160000';
import { Migration20261130170000 } from './Migration20261130170000';
import { Migration20261130171000 } from './Migration20261130171000';
import { Migration20261130180000 } from './Migration20261130180000';
import { Migration20261130181000 } from './Migration20261130181000';
import { Migration20261201050000 } from './Migration20261201050000';
import { Migration20261202090000 } from './Migration20261202090000';
import { Migration20261203122240 } from './Migration20261203122240';
import { Migration20261203123344 } from './Migration20261203123344';
import { Migration20261203180000 } from './Migration20261203180000';
import { Migration20261203213000 } from './Migration20261203213000';

/** Every SQLite migration, in order. `npm run cli -- db:diff` writes new ones; add them here. */
export const sqliteMigrations: MigrationObject[] = [
  { name: 'Migration20261126120610', class: Migration20261126120610 },
  { name: 'Migration20261130100000', class: Migration20261130100000 },
  { name: 'Migration20261130110000', class: Migration20261130110000 },
  { name: 'Migration20261130120000', class: Migration20261130120000 },
  { name: 'Migration20261130121000', class: Migration20261130121000 },
  { name: 'Migration20261130122000', class: Migration20261130122000 },
  { name: 'Migration20261130123000', class: Migration20261130123000 },
  { name: 'Migration20261130140000', class: Migration20261130140000 },
  { name: 'Migration20261130141000', class: Migration20261130141000 },
  { name: 'Migration20261130150000', class: Migration20261130150000 },
  { name: 'Migration20261130160000', class: Migration20261130160000 },
  { name: 'Migration20261130170000', class: Migration20261130170000 },
  { name: 'Migration20261130171000', class: Migration20261130171000 },
  { name: 'Migration20261130180000', class: Migration20261130180000 },
  { name: 'Migration20261130181000', class: Migration20261130181000 },
  { name: 'Migration20261201050000', class: Migration20261201050000 },
  { name: 'Migration20261202090000', class: Migration20261202090000 },
  { name: 'Migration20261203122240', class: Migration20261203122240 },
  { name: 'Migration20261203123344', class: Migration20261203123344 },
  { name: 'Migration20261203180000', class: Migration20261203180000 },
  { name: 'Migration20261203213000', class: Migration20261203213000 },
];
