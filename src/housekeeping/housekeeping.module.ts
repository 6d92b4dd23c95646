import { Module } from '@nestjs/common';
import { ApiModule } from '../api/api.module';
import { AuthModule } from '../auth/auth.module';
import { MailModule } from '../mail/mail.module';
import { ThrottleModule } from '../throttle/throttle.module';
import { HousekeepingJob } from './housekeeping.job';
import { HousekeepingService } from './housekeeping.service';

@Module({
  imports: [AuthModule, MailModule, ThrottleModule, ApiModule],
  providers: [HousekeepingService, HousekeepingJob],
  exports: [HousekeepingService],
})
export class HousekeepingModule {}
