import { Entity, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../database/base.entity';

/**
 * A key of the provider's own systems for the operator API (made and revoked with the
 * `operator:key` commands). Like a partner's API key: the secret exists only in the command's
 * output; the row keeps the public key id (the lookup, one unique index) and the SHA-256 hash
 * of the whole key, which holds 256 random bits, so a fast hash is enough.
 */
@Entity({ tableName: 'operator_key' })
export class OperatorKey extends BaseEntity<'expiresAt' | 'revokedAt' | 'lastUsedAt'> {
  @Property({ type: 'string', length: 100 })
  name: string;

  /** The public part of the key (`phk_op_<keyId>_…`), shown in the list. */
  @Unique()
  @Property({ type: 'string', length: 32 })
  keyId: string;

  @Property({ type: 'string', length: 64, hidden: true, lazy: true })
  secretHash: string;

  @Property({ type: 'datetime', nullable: true })
  expiresAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  revokedAt?: Date | null;

  /** Written at most once a minute, not on every request. */
  @Property({ type: 'datetime', nullable: true })
  lastUsedAt?: Date | null;

  constructor(init: Pick<OperatorKey, 'name' | 'keyId' | 'secretHash'> & { expiresAt?: Date | null }) {
    super();
    Object.assign(this, init);
  }
}
