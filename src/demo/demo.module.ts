import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { DatabaseModule } from '../database/database.module';
import { PartnersModule } from '../partners/partners.module';
import { DemoSeedService } from './demo-seed.service';

@Module({ imports: [PartnersModule, AccountsModule, DatabaseModule], providers: [DemoSeedService], exports: [DemoSeedService] })
export class DemoModule {}
