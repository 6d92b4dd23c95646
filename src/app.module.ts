import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { AccountsModule } from './accounts/accounts.module';
import { ApiModule } from './api/api.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { TokensService } from './auth/tokens.service';
import { Clock } from './common/clock';
import { createLogger, LOGGER, type Logger } from './common/logger';
import { MemberGuard } from './common/member.guard';
import type { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { DemoModule } from './demo/demo.module';
import { ExportsModule } from './exports/exports.module';
import { HealthModule } from './health/health.module';
import { HousekeepingModule } from './housekeeping/housekeeping.module';
import { MailDeliveryModule } from './mail/mail-delivery.module';
import { MailModule } from './mail/mail.module';
import { MetricsModule } from './metrics/metrics.module';
import { OperatorApiModule } from './operator-api/operator-api.module';
import { PartnersModule } from './partners/partners.module';
import { RevocationModule } from './revocation/revocation.module';
import { UsersModule } from './users/users.module';

export interface AppModuleOptions {
  config: AppConfig;
  clock?: Clock;
  logger?: Logger;
}

/** Wires the feature modules. Tests build it with their own clock and configuration. */
@Module({})
export class AppModule {
  static forRoot({ config, clock = new Clock(), logger = createLogger(config.logLevel) }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, clock, logger),
        DatabaseModule.forRoot(config),
        DatabaseModule,
        ScheduleModule.forRoot(),
        AuditModule,
        MailModule,
        // Auth issues the links in the emails mail sends.
        MailDeliveryModule.forRoot({ imports: [AuthModule], issuer: TokensService }),
        PartnersModule,
        DemoModule,
        HealthModule,
        MetricsModule,
        AuthModule,
        UsersModule,
        AccountsModule,
        ExportsModule,
        RevocationModule,
        HousekeepingModule,
        ApiModule,
        OperatorApiModule,
      ],
      providers: [{ provide: APP_GUARD, useClass: MemberGuard }],
    };
  }
}
