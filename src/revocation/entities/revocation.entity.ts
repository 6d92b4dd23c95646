import { Entity, Enum, Index, ManyToOne, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../database/base.entity';
import { WhatsappNumber } from '../../accounts/entities/whatsapp-number.entity';
import { Partner } from '../../partners/entities/partner.entity';
import type { Alignment } from '../../partners/entities/contract-terms.embeddable';
import { User } from '../../auth/entities/user.entity';

/**
 * A payment revocation request for one number, with the terms in force when it was made
 * (a later change of terms applies to later requests only). Each timestamp is set once, by a
 * conditional update, so each transition happens exactly once. A number has at most one that
 * is not withdrawn (its open one, whose state the number's billing state shows): the request
 * claims the number first, and the partial unique index holds it.
 */
@Entity()
@Index({ properties: ['billingEndsAt'] })
@Index({ properties: ['removeAt'] })
@Index({ properties: ['number'] })
@Unique({
  name: 'revocation_open_number_id_unique',
  expression: 'create unique index revocation_open_number_id_unique on revocation (number_id) where withdrawn_at is null',
})
export class Revocation extends BaseEntity<'reason' | 'withdrawnAt' | 'withdrawnBy' | 'billingEndedAt' | 'removedAt'> {
  @ManyToOne(() => Partner, { deleteRule: 'cascade' })
  partner: Partner;

  @ManyToOne(() => WhatsappNumber, { deleteRule: 'cascade' })
  number: WhatsappNumber;

  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' })
  requestedBy?: User | null;

  @Property({ type: 'datetime' })
  requestedAt: Date;

  @Property({ type: 'string', length: 500, nullable: true })
  reason?: string | null;

  /** The local date (YYYY-MM-DD, billing time zone) on whose end billing to the partner ends. */
  @Property({ type: 'string', length: 10 })
  terminationDate: string;

  /** The instant the termination date ends in the billing time zone. */
  @Property({ type: 'datetime' })
  billingEndsAt: Date;

  /** billingEndsAt + the removal grace period. */
  @Property({ type: 'datetime' })
  removeAt: Date;

  @Property({ type: 'integer' })
  noticeDays: number;

  @Enum({ items: ['none', 'end_of_month'], type: 'string' })
  alignment: Alignment;

  @Property({ type: 'integer' })
  removalGraceDays: number;

  @Property({ type: 'string', length: 64 })
  billingTimeZone: string;

  @Property({ type: 'datetime', nullable: true })
  withdrawnAt?: Date | null;

  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' })
  withdrawnBy?: User | null;

  @Property({ type: 'datetime', nullable: true })
  billingEndedAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  removedAt?: Date | null;

  /**
   * Who asked, as they were named then: "Olivia Owner (olivia@…)", or an API key with its
   * prefix (requestedBy is a person only). Null on revocations requested before it was kept.
   */
  @Property({ type: 'text', nullable: true })
  requestedByLabel?: string | null;

  constructor(
    init: Omit<
      Revocation,
      'id' | 'createdAt' | 'updatedAt' | 'reason' | 'withdrawnAt' | 'withdrawnBy' | 'billingEndedAt' | 'removedAt' | 'requestedByLabel'
    > & {
      reason?: string | null;
      requestedByLabel?: string | null;
    },
  ) {
    super();
    Object.assign(this, init);
  }
}
