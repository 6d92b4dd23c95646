import { Entity, Enum, Index, ManyToOne, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../database/base.entity';
import { UserToken } from '../../auth/entities/user-token.entity';
import { Partner } from '../../partners/entities/partner.entity';

export type OutboxStatus = 'pending' | 'sent' | 'dead';

/**
 * An email written in the same transaction as the change that causes it. The payload never
 * holds a raw token: for a link, `token` points at the token row whose secret the worker derives
 * when it builds the message (the same in every build: see LinkTokens).
 */
@Entity()
@Index({ properties: ['status', 'nextAttemptAt'] })
export class OutboxEmail extends BaseEntity<
  'status' | 'attempts' | 'nextAttemptAt' | 'lockedUntil' | 'lastError' | 'sentAt' | 'partner' | 'token'
> {
  @ManyToOne(() => Partner, { nullable: true, deleteRule: 'cascade' })
  partner?: Partner | null;

  @Property({ type: 'string', length: 254 })
  toAddress: string;

  @Property({ type: 'string', length: 64 })
  template: string;

  @Property({ type: 'json' })
  payload: Record<string, unknown>;

  @ManyToOne(() => UserToken, { nullable: true, deleteRule: 'set null' })
  token?: UserToken | null;

  @Enum({ items: ['pending', 'sent', 'dead'], type: 'string' })
  status: OutboxStatus = 'pending';

  @Property({ type: 'integer' })
  attempts: number = 0;

  @Property({ type: 'datetime' })
  nextAttemptAt: Date = new Date();

  /** A worker's claim (its lease): other workers skip the row until it passes. */
  @Property({ type: 'datetime', nullable: true })
  lockedUntil?: Date | null;

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;

  @Property({ type: 'datetime', nullable: true })
  sentAt?: Date | null;

  constructor(toAddress: string, template: string, payload: Record<string, unknown>) {
    super();
    this.toAddress = toAddress;
    this.template = template;
    this.payload = payload;
  }
}
