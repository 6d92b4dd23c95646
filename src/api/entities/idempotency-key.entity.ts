import { Entity, Index, ManyToOne, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../database/base.entity';
import { ApiKey } from './api-key.entity';

/**
 * An Idempotency-Key an API key sent with a request that changes something, and the answer it
 * got, replayed to a retry for 24 hours (Stripe's model). The unique pair (key, idempotency key)
 * is the claim: of two identical requests at once, on any instance, only one inserts it and
 * acts. Until the answer is written (`responseStatus` null) the request is still running.
 */
@Entity({ tableName: 'api_idempotency_key' })
@Unique({ properties: ['apiKey', 'idempotencyKey'] })
export class IdempotencyKey extends BaseEntity<'responseStatus' | 'responseBody'> {
  @ManyToOne(() => ApiKey, { deleteRule: 'cascade' })
  apiKey: ApiKey;

  @Property({ type: 'string', length: 255 })
  idempotencyKey: string;

  /** SHA-256 of the method, path and body: a retry must send the same request. */
  @Property({ type: 'string', length: 64 })
  fingerprint: string;

  @Property({ type: 'integer', nullable: true })
  responseStatus?: number | null;

  /** The answer's JSON, as sent. */
  @Property({ type: 'text', nullable: true })
  responseBody?: string | null;

  /** After this the key is forgotten: the same key is then a new request. Housekeeping deletes it. */
  @Index()
  @Property({ type: 'datetime' })
  expiresAt: Date;

  constructor(init: Pick<IdempotencyKey, 'apiKey' | 'idempotencyKey' | 'fingerprint' | 'expiresAt'>) {
    super();
    Object.assign(this, init);
  }
}
