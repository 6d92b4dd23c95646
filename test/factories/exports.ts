import type { EntityManager } from '@mikro-orm/core';
import { Client } from '../../src/accounts/entities/client.entity';
import { WabaAccount } from '../../src/accounts/entities/waba-account.entity';
import { WhatsappNumber } from '../../src/accounts/entities/whatsapp-number.entity';
import { searchTextFor } from '../../src/accounts/search-text';
import type { Partner } from '../../src/partners/entities/partner.entity';
import { Revocation } from '../../src/revocation/entities/revocation.entity';

let seq = 0;
const next = () => ++seq + Math.floor(Math.random() * 1e6);

export interface NumberOverrides {
  client?: Client;
  waba?: WabaAccount;
  clientName?: string;
  contactEmail?: string | null;
  consentStatus?: Client['consentStatus'];
  clientProviderId?: string;
  namespace?: string | null;
  wabaStatus?: WabaAccount['status'];
  verification?: WabaAccount['businessVerificationStatus'];
  onBehalf?: WabaAccount['messageOnBehalfStatus'];
  wabaExternalId?: string;
  phoneNumber?: string;
  displayName?: string | null;
  providerId?: string;
  externalId?: string;
  status?: WhatsappNumber['status'];
  registrationStatus?: WhatsappNumber['registrationStatus'];
  billingState?: WhatsappNumber['billingState'];
  providerCreatedAt?: Date;
}

/**
 * One WhatsApp number with its client and WABA account (new ones unless given), as the
 * import would store it. Used by the export tests until the accounts factories exist.
 */
export async function createNumber(em: EntityManager, partner: Partner, o: NumberOverrides = {}): Promise<WhatsappNumber> {
  const n = next();
  const client =
    o.client ??
    Object.assign(new Client(partner, o.clientProviderId ?? `CL${n}`, o.clientName ?? `Client ${n} GmbH`), {
      contactEmail: o.contactEmail === undefined ? `ops${n}@client.example` : o.contactEmail,
      consentStatus: o.consentStatus ?? 'granted',
    });
  const waba =
    o.waba ??
    Object.assign(new WabaAccount(partner, client, `WA${n}`, o.wabaExternalId ?? String(2_000_000_000 + n)), {
      namespace: o.namespace === undefined ? `${n}_abcd_12ab` : o.namespace,
      status: o.wabaStatus ?? 'approved',
      businessVerificationStatus: o.verification ?? 'verified',
      messageOnBehalfStatus: o.onBehalf ?? 'approved',
    });
  const phoneNumber = o.phoneNumber ?? `+4915${String(100_000_000 + n).slice(-9)}`;
  const displayName = o.displayName === undefined ? `Support ${n}` : o.displayName;
  const providerId = o.providerId ?? `CH${n}`;
  const externalId = o.externalId ?? String(100_000_000_000 + n);
  const number = new WhatsappNumber({
    partner,
    client,
    wabaAccount: waba,
    providerId,
    externalId,
    phoneNumber,
    providerCreatedAt: o.providerCreatedAt ?? new Date(Date.UTC(2026, 0, 1) + n * 1000),
    clientName: client.name,
    searchText: searchTextFor({
      phoneNumber,
      displayName,
      clientName: client.name,
      contactEmail: client.contactEmail,
      ids: [providerId, externalId, waba.externalId, waba.providerId, client.providerId],
    }),
  });
  number.displayName = displayName;
  number.status = o.status ?? 'running';
  number.registrationStatus = o.registrationStatus ?? 'registered';
  number.billingState = o.billingState ?? 'partner_paid';
  await em.persist([client, waba, number]).flush();
  return number;
}

/** An open payment revocation on a number, ending on `terminationDate`. */
export async function createRevocation(
  em: EntityManager,
  partner: Partner,
  number: WhatsappNumber,
  terminationDate: string,
  o: { withdrawnAt?: Date } = {},
): Promise<Revocation> {
  const billingEndsAt = new Date(`${terminationDate}T00:00:00Z`);
  billingEndsAt.setUTCDate(billingEndsAt.getUTCDate() + 1);
  const revocation = new Revocation({
    partner,
    number: em.getReference(WhatsappNumber, number.id),
    requestedBy: null,
    requestedAt: new Date(),
    terminationDate,
    billingEndsAt,
    removeAt: new Date(billingEndsAt.getTime() + 14 * 86_400_000),
    noticeDays: 30,
    alignment: 'none',
    removalGraceDays: 14,
    billingTimeZone: 'UTC',
  });
  if (o.withdrawnAt) revocation.withdrawnAt = o.withdrawnAt;
  await em.persist(revocation).flush();
  if (!o.withdrawnAt) {
    await em.nativeUpdate(WhatsappNumber, { id: number.id }, { revocation: revocation.id, billingState: 'revocation_requested' });
  }
  return revocation;
}
