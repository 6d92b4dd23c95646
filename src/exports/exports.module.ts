import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { RequestsModule } from '../common/requests.module';
import { DatabaseModule } from '../database/database.module';
import { ExportsController } from './exports.controller';
import { ExportsService } from './exports.service';

/** The CSV download of the accounts list. */
@Module({
  imports: [AuditModule, RequestsModule, DatabaseModule],
  controllers: [ExportsController],
  providers: [ExportsService],
  exports: [ExportsService],
})
export class ExportsModule {}
