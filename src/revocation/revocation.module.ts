import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AuditModule } from '../audit/audit.module';
import { DatabaseModule } from '../database/database.module';
import { HealthModule } from '../health/health.module';
import { MailModule } from '../mail/mail.module';
import { Revocation } from './entities/revocation.entity';
import { RevocationController } from './revocation.controller';
import { RevocationFinalizer } from './revocation-finalizer.service';
import { RevocationJob } from './revocation.job';
import { RevocationNotices } from './revocation-notices.service';
import { RevocationNumberExtension } from './revocation-number-extension';
import { RevocationRequests } from './revocation-requests.service';

export const REVOCATION_ENTITIES = [Revocation];

@Module({
  // Accounts for its page extension point, health for the shutdown signal (Lifecycle).
  imports: [MikroOrmModule.forFeature(REVOCATION_ENTITIES), DatabaseModule, AuditModule, MailModule, AccountsModule, HealthModule],
  controllers: [RevocationController],
  providers: [RevocationRequests, RevocationFinalizer, RevocationNotices, RevocationNumberExtension, RevocationJob],
  exports: [RevocationRequests, RevocationFinalizer],
})
export class RevocationModule {}
