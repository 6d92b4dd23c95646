import { Entity, Enum, Index, ManyToOne, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../database/base.entity';
import { Partner } from '../../partners/entities/partner.entity';

export type ApiScope = 'read' | 'read_write';
export const API_SCOPES: readonly ApiScope[] = ['read', 'read_write'];

/**
 * A Partner API key. The secret exists only in the answer that created it; the row keeps its
 * public key id (the lookup, one unique index) and the SHA-256 hash of the whole key. A fast
 * hash is right here, as GitHub and Stripe do: a key holds 256 random bits from the CSPRNG, so
 * no dictionary or brute force can reach it, and a slow hash (bcrypt) would only cost every
 * request. `createdBy` is a user id kept as a plain value: the key outlives its creator.
 * `formId` is the id of the settings form that made it: that form sent again makes no second key.
 */
@Entity({ tableName: 'api_key' })
@Index({ properties: ['partner', 'createdAt'] })
@Unique({ properties: ['partner', 'formId'] })
export class ApiKey extends BaseEntity<'expiresAt' | 'formId' | 'revokedAt' | 'lastUsedAt' | 'lastUsedIp'> {
  @ManyToOne(() => Partner, { deleteRule: 'cascade' })
  partner: Partner;

  @Property({ type: 'string', length: 100 })
  name: string;

  @Enum({ items: ['read', 'read_write'], type: 'string' })
  scope: ApiScope;

  /** The public part of the key (`phk_live_<keyId>_…`), shown in the list. */
  @Unique()
  @Property({ type: 'string', length: 32 })
  keyId: string;

  @Property({ type: 'string', length: 64, hidden: true, lazy: true })
  secretHash: string;

  @Property({ type: 'string', length: 22 })
  createdBy: string;

  @Property({ type: 'datetime', nullable: true })
  expiresAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  revokedAt?: Date | null;

  /** Written at most once a minute per key, not on every request. */
  @Property({ type: 'datetime', nullable: true })
  lastUsedAt?: Date | null;

  @Property({ type: 'string', length: 64, nullable: true })
  lastUsedIp?: string | null;

  @Property({ type: 'string', length: 22, nullable: true })
  formId?: string | null;

  constructor(
    init: Pick<ApiKey, 'partner' | 'name' | 'scope' | 'keyId' | 'secretHash' | 'createdBy'> & {
      expiresAt?: Date | null;
      formId?: string | null;
    },
  ) {
    super();
    Object.assign(this, init);
  }
}
