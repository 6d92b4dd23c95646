import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AccountsModule } from '../accounts/accounts.module';
import { AuditModule } from '../audit/audit.module';
import { DatabaseModule } from '../database/database.module';
import { ExportsModule } from '../exports/exports.module';
import { PartnersModule } from '../partners/partners.module';
import { RevocationModule } from '../revocation/revocation.module';
import { ThrottleModule } from '../throttle/throttle.module';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { ApiCatalogueController } from './catalogue.controller';
import { ApiDocsController } from './docs.controller';
import { ApiKey } from './entities/api-key.entity';
import { IdempotencyKey } from './entities/idempotency-key.entity';
import { ApiExportController } from './export.controller';
import { IdempotencyService } from './idempotency.service';
import { ApiNumbersController } from './numbers.controller';
import { OpenApiService } from './openapi.service';
import { ApiRevocationController } from './revocation.controller';

export const API_ENTITIES = [ApiKey, IdempotencyKey];

/** The Partner API under /api/v1 (Bearer keys, JSON, problem details) and the owners' API keys page. */
@Module({
  imports: [
    MikroOrmModule.forFeature(API_ENTITIES),
    DatabaseModule,
    DiscoveryModule,
    AccountsModule,
    AuditModule,
    ThrottleModule,
    PartnersModule,
    RevocationModule,
    ExportsModule,
  ],
  controllers: [
    ApiKeysController,
    ApiNumbersController,
    ApiRevocationController,
    ApiExportController,
    ApiCatalogueController,
    ApiDocsController,
  ],
  providers: [ApiKeysService, ApiKeyGuard, IdempotencyService, OpenApiService],
  exports: [ApiKeysService, IdempotencyService],
})
export class ApiModule {}
