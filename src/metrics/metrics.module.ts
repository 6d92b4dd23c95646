import { Module } from '@nestjs/common';
import { RevocationModule } from '../revocation/revocation.module';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/** /metrics, and the counters other parts of the app feed (requests, scheduled jobs). */
@Module({ imports: [RevocationModule], controllers: [MetricsController], providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule {}
