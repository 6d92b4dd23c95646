import { Entity, Index, ManyToOne, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../database/base.entity';
import { Partner } from '../../partners/entities/partner.entity';
import type { FamilyKey } from '../../statuses';
import { WhatsappNumber } from './whatsapp-number.entity';

export type ChangeSource = 'import' | 'revocation' | 'job' | 'demo';

/** One entry of a number's status history: which family changed, from what, to what, why. */
@Entity()
@Index({ properties: ['number', 'changedAt'] })
export class NumberStatusChange extends BaseEntity {
  @ManyToOne(() => Partner, { deleteRule: 'cascade' })
  partner: Partner;

  @ManyToOne(() => WhatsappNumber, { deleteRule: 'cascade' })
  number: WhatsappNumber;

  @Property({ type: 'string', length: 32 })
  family: FamilyKey;

  @Property({ type: 'string', length: 40, nullable: true })
  fromValue?: string | null;

  @Property({ type: 'string', length: 40 })
  toValue: string;

  @Property({ type: 'string', length: 16 })
  source: ChangeSource;

  @Property({ type: 'datetime' })
  changedAt: Date;

  constructor(init: {
    partner: Partner;
    number: WhatsappNumber;
    family: FamilyKey;
    fromValue?: string | null;
    toValue: string;
    source: ChangeSource;
    changedAt: Date;
  }) {
    super();
    Object.assign(this, init);
  }
}
