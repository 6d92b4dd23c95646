import { Entity, Enum, ManyToOne, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../database/base.entity';
import { Partner } from '../../partners/entities/partner.entity';
import { familyValues, type ConsentStatus } from '../../statuses';

/** The end business a partner brought in. */
@Entity()
@Unique({ properties: ['partner', 'providerId'] })
export class Client extends BaseEntity {
  @ManyToOne(() => Partner, { deleteRule: 'cascade' })
  partner: Partner;

  /** The provider's id of the client (`client.id` in the Partner API). */
  @Property({ type: 'string', length: 64 })
  providerId: string;

  /** Company legal name. */
  @Property({ type: 'string', length: 200 })
  name: string;

  @Property({ type: 'string', length: 254, nullable: true })
  contactEmail?: string | null;

  @Enum({ items: familyValues('consent'), type: 'string' })
  consentStatus: ConsentStatus = 'pending';

  constructor(partner: Partner, providerId: string, name: string) {
    super();
    this.partner = partner;
    this.providerId = providerId;
    this.name = name;
  }
}
