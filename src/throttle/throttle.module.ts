import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { RateLimit } from './entities/rate-limit.entity';
import { RateLimiter } from './rate-limiter';

export const THROTTLE_ENTITIES = [RateLimit];

@Module({
  imports: [MikroOrmModule.forFeature(THROTTLE_ENTITIES), DatabaseModule],
  providers: [RateLimiter],
  exports: [RateLimiter],
})
export class ThrottleModule {}
