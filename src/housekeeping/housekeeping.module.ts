import { Module } from '@nestjs/common';
import { ThrottleModule } from '../throttle/throttle.module';
import { HousekeepingJob } from './housekeeping.job';
import { HousekeepingService } from './housekeeping.service';

@Module({ imports: [ThrottleModule], providers: [HousekeepingService, HousekeepingJob], exports: [HousekeepingService] })
export class HousekeepingModule {}
