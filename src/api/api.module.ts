import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AccountsModule } from '../accounts/accounts.module';
import { AuditModule } from '../audit/audit.module';
import { DatabaseModule } from '../database/database.module';
import { ThrottleModule } from '../throttle/throttle.module';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { ApiCatalogueController } from './catalogue.controller';
import { ApiDocsController } from './docs.controller';
import { ApiKey } from './entities/api-key.entity';
import { NumberRevocations } from './number-revocation';
import { ApiNumbersController } from './numbers.controller';
import { OpenApiService } from './openapi.service';

export const API_ENTITIES = [ApiKey];

/** The Partner API under /api/v1 (Bearer keys, JSON, problem details) and the owners' API keys page. */
@Module({
  imports: [MikroOrmModule.forFeature(API_ENTITIES), DatabaseModule, DiscoveryModule, AccountsModule, AuditModule, ThrottleModule],
  controllers: [ApiKeysController, ApiNumbersController, ApiCatalogueController, ApiDocsController],
  providers: [ApiKeysService, ApiKeyGuard, NumberRevocations, OpenApiService],
  exports: [ApiKeysService],
})
export class ApiModule {}
