import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AuditModule } from '../audit/audit.module';
import { RequestsModule } from '../common/requests.module';
import { DatabaseModule } from '../database/database.module';
import { ExportBudget } from './export-budget.service';
import { ExportsController } from './exports.controller';
import { ExportsNumberExtension } from './exports-number-extension';
import { ExportsService } from './exports.service';

/** The downloads of the accounts list (CSV and Excel) and the row budget they spend. */
@Module({
  imports: [AccountsModule, AuditModule, RequestsModule, DatabaseModule],
  controllers: [ExportsController],
  providers: [ExportsService, ExportBudget, ExportsNumberExtension],
  exports: [ExportsService],
})
export class ExportsModule {}
