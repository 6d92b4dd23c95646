import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { AccountStatusesController } from './account-statuses.controller';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';
import { ClientsController } from './clients.controller';
import { Client } from './entities/client.entity';
import { NumberStatusChange } from './entities/number-status-change.entity';
import { NumberSummary } from './entities/number-summary.entity';
import { WabaAccount } from './entities/waba-account.entity';
import { WhatsappNumber } from './entities/whatsapp-number.entity';
import { AccountsImportService } from './import/accounts-import.service';
import { ListPreferences } from './list-preferences.service';
import { NumberExtensions } from './number-extensions.service';
import { NumberList } from './number-list.service';
import { NumberListPreference } from './entities/number-list-preference.entity';
import { NumberSummaries } from './number-summaries.service';
import { NumberSummariesJob } from './number-summaries.job';
import { RemovedNumbers } from './removed-numbers.service';

export const ACCOUNTS_ENTITIES = [Client, WabaAccount, WhatsappNumber, NumberStatusChange, NumberSummary, NumberListPreference];

@Module({
  imports: [MikroOrmModule.forFeature(ACCOUNTS_ENTITIES), DatabaseModule],
  controllers: [AccountsController, AccountStatusesController, ClientsController],
  providers: [
    AccountsService,
    NumberList,
    ListPreferences,
    AccountsImportService,
    NumberExtensions,
    NumberSummaries,
    NumberSummariesJob,
    RemovedNumbers,
  ],
  exports: [AccountsService, AccountsImportService, NumberExtensions, NumberSummaries],
})
export class AccountsModule {}
