import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { RateLimit } from './entities/rate-limit.entity';
import { RateLimiter } from './rate-limiter';

export const THROTTLE_ENTITIES = [RateLimit];

@Module({
  imports: [MikroOrmModule.forFeature(THROTTLE_ENTITIES)],
  providers: [RateLimiter],
  exports: [RateLimiter],
})
export class ThrottleModule {}
