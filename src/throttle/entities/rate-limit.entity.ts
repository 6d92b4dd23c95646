import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One counter of a rate limit: how many points a subject (an account, an address, an IP, a
 * partner) spent in the window that ends at `resetsAt`. Written only by RateLimiter's single
 * atomic upsert, so every instance counts alike.
 */
@Entity({ tableName: 'rate_limit' })
@Index({ properties: ['resetsAt'] })
export class RateLimit {
  /** `<policy>:<hash of the subject>`: fixed length, and no address or IP stored in clear. */
  @PrimaryKey({ type: 'string', length: 80 })
  key: string;

  @Property({ type: 'integer' })
  points: number;

  @Property({ type: 'datetime' })
  resetsAt: Date;

  constructor(key: string, points: number, resetsAt: Date) {
    this.key = key;
    this.points = points;
    this.resetsAt = resetsAt;
  }
}
