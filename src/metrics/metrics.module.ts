import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { RevocationModule } from '../revocation/revocation.module';
import { JobStatus } from './entities/job-status.entity';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

export const METRICS_ENTITIES = [JobStatus];

/** /metrics, and the counters other parts of the app feed (requests, scheduled jobs). */
@Module({
  imports: [MikroOrmModule.forFeature(METRICS_ENTITIES), DatabaseModule, RevocationModule],
  controllers: [MetricsController],
  providers: [MetricsService],
  exports: [MetricsService],
})
export class MetricsModule {}
