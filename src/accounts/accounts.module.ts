import { Module } from '@nestjs/common';
import { AccountStatusesController } from './account-statuses.controller';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';
import { AccountsImportService } from './import/accounts-import.service';

@Module({
  controllers: [AccountsController, AccountStatusesController],
  providers: [AccountsService, AccountsImportService],
  exports: [AccountsService, AccountsImportService],
})
export class AccountsModule {}
