import type { EntityManager } from '@mikro-orm/core';
import { Client } from '../../src/accounts/entities/client.entity';
import { NumberStatusChange } from '../../src/accounts/entities/number-status-change.entity';
import { WabaAccount } from '../../src/accounts/entities/waba-account.entity';
import { WhatsappNumber } from '../../src/accounts/entities/whatsapp-number.entity';
import { searchTextFor } from '../../src/accounts/search-text';
import type { Partner } from '../../src/partners/entities/partner.entity';

// A random start, then one by one: unique within a test process (a random number per call
// collided once a test made a few thousand numbers).
let seq = Math.floor(Math.random() * 1e6);
const next = () => ++seq;

export async function createClient(em: EntityManager, partner: Partner, overrides: Partial<Client> = {}): Promise<Client> {
  const n = next();
  const client = new Client(partner, overrides.providerId ?? `CL${n}`, overrides.name ?? `Client ${n} GmbH`);
  Object.assign(client, { contactEmail: `ops${n}@client.example`, consentStatus: 'granted' }, overrides);
  await em.persist(client).flush();
  return client;
}

export async function createWaba(em: EntityManager, client: Client, overrides: Partial<WabaAccount> = {}): Promise<WabaAccount> {
  const n = next();
  const waba = new WabaAccount(client.partner, client, overrides.providerId ?? `WA${n}`, overrides.externalId ?? String(2_000_000_000 + n));
  Object.assign(
    waba,
    { namespace: `${n}_ns`, timezoneId: 47, status: 'approved', businessVerificationStatus: 'verified', messageOnBehalfStatus: 'approved' },
    overrides,
  );
  await em.persist(waba).flush();
  return waba;
}

export type NumberOverrides = Partial<Omit<WhatsappNumber, 'client' | 'wabaAccount'>> & {
  client?: Partial<Client> | Client;
  waba?: Partial<WabaAccount> | WabaAccount;
};

/**
 * A number with its client and WABA account (made unless given), healthy by default, with its
 * search text and client name kept in step as the import keeps them.
 */
export async function createNumber(em: EntityManager, partner: Partner, overrides: NumberOverrides = {}): Promise<WhatsappNumber> {
  const n = next();
  const { client: clientOver, waba: wabaOver, ...fields } = overrides;
  const client = clientOver instanceof Client ? clientOver : await createClient(em, partner, clientOver);
  const waba = wabaOver instanceof WabaAccount ? wabaOver : await createWaba(em, client, wabaOver);
  const phoneNumber = fields.phoneNumber ?? `+49151${String(10_000_000 + (n % 90_000_000)).padStart(8, '0')}`;
  const number = new WhatsappNumber({
    partner,
    client,
    wabaAccount: waba,
    providerId: fields.providerId ?? `CH${n}`,
    externalId: fields.externalId ?? String(100_000_000_000 + n),
    phoneNumber,
    providerCreatedAt: fields.providerCreatedAt ?? new Date('2026-10-01T12:00:00Z'),
    clientName: client.name,
    searchText: '',
  });
  Object.assign(
    number,
    {
      displayName: `${client.name.split(' ')[0]} Support`,
      status: 'running',
      statusChangedAt: new Date('2026-10-01T12:00:00Z'),
      registrationStatus: 'registered',
      registrationMethod: 'sms',
      qualityRating: 'green',
      messagingTier: 'tier_1k',
      accountMode: 'live',
    },
    fields,
  );
  number.searchText = searchTextFor({
    phoneNumber: number.phoneNumber,
    displayName: number.displayName,
    clientName: client.name,
    contactEmail: client.contactEmail,
    ids: [number.providerId, number.externalId, waba.externalId, waba.providerId, waba.namespace, client.providerId],
  });
  await em.persist(number).flush();
  return number;
}

export async function createStatusChange(
  em: EntityManager,
  number: WhatsappNumber,
  change: {
    family?: NumberStatusChange['family'];
    from?: string | null;
    to: string;
    changedAt?: Date;
    source?: NumberStatusChange['source'];
  },
): Promise<NumberStatusChange> {
  const entry = new NumberStatusChange({
    partner: number.partner,
    number,
    family: change.family ?? 'lifecycle',
    fromValue: change.from ?? null,
    toValue: change.to,
    source: change.source ?? 'import',
    changedAt: change.changedAt ?? new Date('2026-10-02T08:00:00Z'),
  });
  await em.persist(entry).flush();
  return entry;
}
