import { Entity, Enum, Index, ManyToOne, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../database/base.entity';
import { Partner } from '../../partners/entities/partner.entity';
import { familyValues, type OnBehalfStatus, type VerificationStatus, type WabaStatus } from '../../statuses';
import { Client } from './client.entity';

/** A client's WhatsApp Business Account (Meta's WABA). */
@Entity()
@Unique({ properties: ['partner', 'providerId'] })
// A client's page lists its accounts: PostgreSQL, which makes no index for a foreign key, read
// every account of the hub for it (SQLite's own foreign key index is the same one).
@Index({ properties: ['client'] })
export class WabaAccount extends BaseEntity {
  @ManyToOne(() => Partner, { deleteRule: 'cascade' })
  partner: Partner;

  @ManyToOne(() => Client, { deleteRule: 'cascade' })
  client: Client;

  /** The provider's id of the account (`waba_account.id`). */
  @Property({ type: 'string', length: 64 })
  providerId: string;

  /** WABA Account External ID: Meta's id of the WhatsApp Business Account. */
  @Property({ type: 'string', length: 64 })
  externalId: string;

  @Property({ type: 'string', length: 128, nullable: true })
  namespace?: string | null;

  /** Meta's timezone id (0–479); shown with its IANA name where known. */
  @Property({ type: 'integer', nullable: true })
  timezoneId?: number | null;

  @Enum({ items: familyValues('waba'), type: 'string' })
  status: WabaStatus = 'created';

  @Enum({ items: familyValues('verification'), type: 'string' })
  businessVerificationStatus: VerificationStatus = 'not_verified';

  @Enum({ items: familyValues('onBehalf'), type: 'string' })
  messageOnBehalfStatus: OnBehalfStatus = 'unset';

  constructor(partner: Partner, client: Client, providerId: string, externalId: string) {
    super();
    this.partner = partner;
    this.client = client;
    this.providerId = providerId;
    this.externalId = externalId;
  }
}
