import { Global, Module } from '@nestjs/common';
import { ActivityController } from './activity.controller';
import { AuditService } from './audit.service';

@Global()
@Module({ controllers: [ActivityController], providers: [AuditService], exports: [AuditService] })
export class AuditModule {}
