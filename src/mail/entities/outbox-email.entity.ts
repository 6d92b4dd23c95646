import { Entity, Enum, Index, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../database/base.entity';

export type OutboxStatus = 'pending' | 'sent' | 'dead';

/**
 * An email written in the same transaction as the change that causes it, with everything its
 * template needs in the payload. The payload never holds a raw token: for a link, `tokenId`
 * names the token whose secret the link issuer gives when the message is built (see
 * MailLinkIssuer). Both ids are plain values, not relations: mail knows no other module's table.
 */
@Entity()
@Index({ properties: ['status', 'nextAttemptAt'] })
export class OutboxEmail extends BaseEntity<
  'status' | 'attempts' | 'nextAttemptAt' | 'lockedUntil' | 'lastError' | 'sentAt' | 'partnerId' | 'tokenId'
> {
  /** The partner the email is about, if any. */
  @Property({ type: 'string', length: 22, nullable: true })
  partnerId?: string | null;

  @Property({ type: 'string', length: 254 })
  toAddress: string;

  @Property({ type: 'string', length: 64 })
  template: string;

  @Property({ type: 'json' })
  payload: Record<string, unknown>;

  @Index()
  @Property({ type: 'string', length: 22, nullable: true })
  tokenId?: string | null;

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
