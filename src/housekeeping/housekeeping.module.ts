import { Module } from '@nestjs/common';
import { ApiModule } from '../api/api.module';
import { DatabaseModule } from '../database/database.module';
import { ThrottleModule } from '../throttle/throttle.module';
import { HousekeepingJob } from './housekeeping.job';
import { HousekeepingService } from './housekeeping.service';

@Module({
  imports: [DatabaseModule, ThrottleModule, ApiModule],
  providers: [HousekeepingService, HousekeepingJob],
  exports: [HousekeepingService],
})
export class HousekeepingModule {}
