import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { ActivityController } from './activity.controller';
import { AuditService } from './audit.service';
import { AuditEvent } from './entities/audit-event.entity';

export const AUDIT_ENTITIES = [AuditEvent];

@Module({
  imports: [MikroOrmModule.forFeature(AUDIT_ENTITIES), DatabaseModule],
  controllers: [ActivityController],
  providers: [AuditService],
  exports: [AuditService],
})
export class AuditModule {}
