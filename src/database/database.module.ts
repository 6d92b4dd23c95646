import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { BackgroundReads } from './background-reads';
import { DatabaseClock } from './database-clock';
import { ormOptions } from './orm.config';
import { PreparedSql } from './prepared-sql';

@Module({})
export class DatabaseModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [MikroOrmModule.forRoot({ ...ormOptions(config), registerRequestContext: true })],
      providers: [PreparedSql, BackgroundReads, DatabaseClock],
      exports: [PreparedSql, BackgroundReads, DatabaseClock],
    };
  }
}
