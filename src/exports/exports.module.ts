import { Module } from '@nestjs/common';
import { ExportsController } from './exports.controller';
import { ExportsService } from './exports.service';

/**
 * The CSV download of the accounts list. Imported before AccountsModule so that
 * /accounts/export.csv is matched before /accounts/:id.
 */
@Module({ controllers: [ExportsController], providers: [ExportsService], exports: [ExportsService] })
export class ExportsModule {}
