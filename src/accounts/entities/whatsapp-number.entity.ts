import { Entity, Enum, Index, ManyToOne, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../database/base.entity';
import { Partner } from '../../partners/entities/partner.entity';
import {
  familyValues,
  type BillingState,
  type LifecycleStatus,
  type MessagingTier,
  type QualityRating,
  type RegistrationStatus,
} from '../../statuses';
import { phoneCountry } from '../phone';
import { Client } from './client.entity';
import { WabaAccount } from './waba-account.entity';

export type RegistrationMethod = 'sms' | 'voice';

/**
 * A WhatsApp number (the provider's "channel"): the card on /accounts, the CSV row and the
 * unit of revocation and billing.
 */
@Entity({ tableName: 'whatsapp_number' })
@Unique({ properties: ['partner', 'providerId'] })
@Index({ properties: ['partner', 'externalId'] })
// A page filtered by number status or billing, newest first, read from the index alone: the
// status index holds billing too, which every list excludes removed numbers by.
@Index({ properties: ['partner', 'status', 'providerCreatedAt', 'id', 'billingState'] })
@Index({ properties: ['partner', 'billingState', 'providerCreatedAt', 'id'] })
@Index({ properties: ['partner', 'providerCreatedAt', 'id'] })
@Index({ properties: ['partner', 'clientName', 'id'] })
@Index({ properties: ['partner', 'phoneNumber', 'id'] })
// The list sorted by display name (sortKeySql: no name sorts as the empty one), in order off the index.
@Index({
  name: 'whatsapp_number_partner_id_display_key_id_index',
  expression:
    "create index whatsapp_number_partner_id_display_key_id_index on whatsapp_number (partner_id, coalesce(display_name, ''), id)",
})
@Index({ properties: ['client'] })
// The client page: its numbers in the list's order, on one index (and its counts without reading other clients' rows).
@Index({ properties: ['partner', 'client', 'providerCreatedAt', 'id'] })
// A client page's count of each WABA account's numbers still in the hub, from the index alone.
@Index({ properties: ['wabaAccount', 'billingState'] })
export class WhatsappNumber extends BaseEntity<
  'status' | 'registrationStatus' | 'billingState' | 'qualityRating' | 'messagingTier' | 'ivr' | 'statusChangedAt'
> {
  @ManyToOne(() => Partner, { deleteRule: 'cascade' })
  partner: Partner;

  @ManyToOne(() => Client, { deleteRule: 'cascade' })
  client: Client;

  @ManyToOne(() => WabaAccount, { deleteRule: 'cascade' })
  wabaAccount: WabaAccount;

  /** The provider's id of the channel (`partner_channels[].id`). */
  @Property({ type: 'string', length: 64 })
  providerId: string;

  /** WABA Channel External ID. */
  @Property({ type: 'string', length: 64 })
  externalId: string;

  /** E.164, validated at import: shown and exported exactly as stored. */
  @Property({ type: 'string', length: 16 })
  phoneNumber: string;

  @Property({ type: 'string', length: 200, nullable: true })
  displayName?: string | null;

  @Enum({ items: familyValues('lifecycle'), type: 'string' })
  status: LifecycleStatus = 'created';

  /** When `status` last changed: "stuck in a pending state too long" reads it. */
  @Property({ type: 'datetime' })
  statusChangedAt: Date = new Date();

  @Property({ type: 'string', length: 16, nullable: true })
  accountMode?: string | null;

  @Enum({ items: familyValues('registration'), type: 'string' })
  registrationStatus: RegistrationStatus = 'not_registered';

  @Enum({ items: ['sms', 'voice'], type: 'string', nullable: true })
  registrationMethod?: RegistrationMethod | null;

  @Property({ type: 'boolean' })
  ivr: boolean = false;

  @Enum({ items: familyValues('quality'), type: 'string' })
  qualityRating: QualityRating = 'unknown';

  @Enum({ items: familyValues('tier'), type: 'string' })
  messagingTier: MessagingTier = 'tier_250';

  @Enum({ items: familyValues('billing'), type: 'string' })
  billingState: BillingState = 'partner_paid';

  /** When the provider created the channel (`created_at`); the "newest" sort key. */
  @Property({ type: 'datetime' })
  providerCreatedAt: Date;

  /**
   * Copies of the client's name and of every searchable text, kept in step by the import,
   * so that sorting by client and searching need no join and keyset pagination stays on
   * one index.
   */
  @Property({ type: 'string', length: 200 })
  clientName: string;

  @Property({ type: 'text' })
  searchText: string;

  /** The country of the phone number ("DE"), kept in step by the import: a download reads it instead of parsing each number. */
  @Property({ type: 'string', length: 2, nullable: true })
  countryCode: string | null;

  constructor(init: {
    partner: Partner;
    client: Client;
    wabaAccount: WabaAccount;
    providerId: string;
    externalId: string;
    phoneNumber: string;
    providerCreatedAt: Date;
    clientName: string;
    searchText: string;
  }) {
    super();
    Object.assign(this, init);
    // MikroORM constructs an entity without arguments to read its defaults.
    this.countryCode = init ? phoneCountry(init.phoneNumber) : null;
  }
}
