import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { PartnersModule } from '../partners/partners.module';
import { DemoSeedService } from './demo-seed.service';

@Module({ imports: [PartnersModule, AccountsModule], providers: [DemoSeedService], exports: [DemoSeedService] })
export class DemoModule {}
