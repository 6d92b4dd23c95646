import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { AccountStatusesController } from './account-statuses.controller';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';
import { Client } from './entities/client.entity';
import { NumberStatusChange } from './entities/number-status-change.entity';
import { NumberSummary } from './entities/number-summary.entity';
import { WabaAccount } from './entities/waba-account.entity';
import { WhatsappNumber } from './entities/whatsapp-number.entity';
import { AccountsImportService } from './import/accounts-import.service';
import { NumberExtensions } from './number-extensions.service';
import { NumberSummaries } from './number-summaries.service';
import { NumberSummariesJob } from './number-summaries.job';

export const ACCOUNTS_ENTITIES = [Client, WabaAccount, WhatsappNumber, NumberStatusChange, NumberSummary];

@Module({
  imports: [MikroOrmModule.forFeature(ACCOUNTS_ENTITIES), DatabaseModule],
  controllers: [AccountsController, AccountStatusesController],
  providers: [AccountsService, AccountsImportService, NumberExtensions, NumberSummaries, NumberSummariesJob],
  exports: [AccountsService, AccountsImportService, NumberExtensions, NumberSummaries],
})
export class AccountsModule {}
