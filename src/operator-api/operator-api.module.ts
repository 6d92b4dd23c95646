import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { PartnersModule } from '../partners/partners.module';
import { OperatorChannelsController } from './channels.controller';
import { OperatorKey } from './entities/operator-key.entity';
import { OperatorDocsController } from './operator-docs.controller';
import { OperatorKeyGuard } from './operator-key.guard';
import { OperatorKeysService } from './operator-keys.service';

export const OPERATOR_API_ENTITIES = [OperatorKey];

/**
 * The provider's side of the HTTP interface under /api/operator/v1: operator keys (made with
 * the operator:key commands) and the ingestion of partners' channels through accounts' import.
 */
@Module({
  imports: [MikroOrmModule.forFeature(OPERATOR_API_ENTITIES), AccountsModule, PartnersModule],
  controllers: [OperatorChannelsController, OperatorDocsController],
  providers: [OperatorKeysService, OperatorKeyGuard],
  exports: [OperatorKeysService],
})
export class OperatorApiModule {}
