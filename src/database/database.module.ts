import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { DatabaseClock } from './database-clock';
import { ormOptions } from './orm.config';
import { Sql } from './sql';
import { Timestamps } from './timestamps';

/**
 * What a module imports to reach the database beyond MikroORM's EntityManager. The connection
 * itself is opened once, by the composition root (forRoot): MikroORM's own module, whose
 * EntityManager every module may inject; each feature module registers its own entities
 * (MikroOrmModule.forFeature), which autoLoadEntities collects.
 */
@Module({ providers: [Sql, DatabaseClock, Timestamps], exports: [Sql, DatabaseClock] })
export class DatabaseModule {
  static forRoot(config: AppConfig) {
    return MikroOrmModule.forRoot({ ...ormOptions(config), autoLoadEntities: true, registerRequestContext: true });
  }
}
