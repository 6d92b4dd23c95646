import { wrap, type EntityManager } from '@mikro-orm/core';
import { Partner } from '../../partners/entities/partner.entity';
import type { FamilyKey } from '../../statuses';
import { Client } from '../entities/client.entity';
import { NumberStatusChange } from '../entities/number-status-change.entity';
import { WabaAccount } from '../entities/waba-account.entity';
import { WhatsappNumber } from '../entities/whatsapp-number.entity';
import { phoneCountry } from '../phone';
import { searchTextFor } from '../search-text';
import type { ImportRecord } from './import-record';

type Change = { family: FamilyKey; from: string | null; to: string };

/** What a record did to its number. */
export type RecordOutcome = 'created' | 'updated' | 'unchanged';

const WABA_FAMILIES: [FamilyKey, 'status' | 'businessVerificationStatus' | 'messageOnBehalfStatus'][] = [
  ['waba', 'status'],
  ['verification', 'businessVerificationStatus'],
  ['onBehalf', 'messageOnBehalfStatus'],
];
const NUMBER_FAMILIES: [FamilyKey, 'status' | 'registrationStatus' | 'qualityRating' | 'messagingTier'][] = [
  ['lifecycle', 'status'],
  ['registration', 'registrationStatus'],
  ['quality', 'qualityRating'],
  ['tier', 'messagingTier'],
];
const NUMBER_FIELDS = [
  'externalId',
  'phoneNumber',
  'displayName',
  'accountMode',
  'registrationMethod',
  'ivr',
  'providerCreatedAt',
] as const;

/**
 * Takes the loaded state of entities as their original state again. On SQLite, MikroORM keeps
 * the dates it loads in a different form from the one it compares with, so every loaded
 * date would look changed and a flush would rewrite unchanged rows (and their updatedAt):
 * a re-import must change nothing.
 */
function resnapshot(em: EntityManager, entities: Iterable<object>): void {
  const comparator = em.getComparator();
  for (const entity of entities) {
    const wrapped = wrap(entity, true) as unknown as { __originalEntityData?: unknown; isInitialized(): boolean };
    if (wrapped.isInitialized()) wrapped.__originalEntityData = comparator.prepareEntity(entity as never);
  }
}

/** Sets a field when the value differs (dates by instant); says whether it changed. */
function assign<T extends object, K extends keyof T>(entity: T, key: K, value: T[K] | undefined): boolean {
  if (value === undefined) return false;
  const current = entity[key];
  if (current instanceof Date && value instanceof Date ? current.getTime() === value.getTime() : current === value) return false;
  entity[key] = value;
  return true;
}

const unique = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => !!x))];

function addChange<K>(map: Map<K, Change[]>, key: K, change: Change): void {
  const list = map.get(key) ?? [];
  list.push(change);
  map.set(key, list);
}

/**
 * One batch of valid records written into a partner's accounts, inside the import's
 * transaction: the clients, WABA accounts and numbers the records name are read at once, each
 * record is applied to them (new ones created, changes set field by field, each status change
 * kept for the number's history), then `finish` follows a renamed client or changed WABA to
 * the partner's other numbers and flushes.
 */
export class ImportBatch {
  private readonly partner: Partner;
  private readonly history: NumberStatusChange[] = [];
  private readonly newNumbers = new Set<WhatsappNumber>();
  private readonly touchedClients = new Set<Client>();
  private readonly touchedWabas = new Set<WabaAccount>();
  private readonly clientChanges = new Map<Client, Change[]>();
  private readonly wabaChanges = new Map<WabaAccount, Change[]>();

  private constructor(
    private readonly tx: EntityManager,
    private readonly partnerId: string,
    private readonly now: Date,
    private readonly clients: Map<string, Client>,
    private readonly wabasById: Map<string, WabaAccount>,
    private readonly wabasByExternalId: Map<string, WabaAccount>,
    private readonly numbers: Map<string, WhatsappNumber>,
  ) {
    this.partner = tx.getReference(Partner, partnerId);
  }

  /** Reads what the records name of the partner's clients, WABA accounts and numbers. */
  static async load(tx: EntityManager, partnerId: string, records: ImportRecord[], now: Date): Promise<ImportBatch> {
    const clientIds = unique(records.map((r) => r.client.providerId));
    const wabaIds = unique(records.map((r) => r.waba.providerId));
    // The CSV form has no WABA provider id: its WABA is found by external id.
    const wabaExternalIds = unique(records.filter((r) => !r.waba.providerId).map((r) => r.waba.externalId));
    const numberIds = unique(records.map((r) => r.number.providerId));

    const clients = new Map((await tx.find(Client, { partner: partnerId, providerId: { $in: clientIds } })).map((c) => [c.providerId, c]));
    const wabaList = await tx.find(WabaAccount, {
      partner: partnerId,
      $or: [{ providerId: { $in: [...wabaIds, ...wabaExternalIds] } }, { externalId: { $in: wabaExternalIds } }],
    });
    const wabasById = new Map(wabaList.map((w) => [w.providerId, w]));
    const wabasByExternalId = new Map<string, WabaAccount>();
    for (const w of wabaList) if (!wabasByExternalId.has(w.externalId)) wabasByExternalId.set(w.externalId, w);
    const numbers = new Map(
      (await tx.find(WhatsappNumber, { partner: partnerId, providerId: { $in: numberIds } })).map((n) => [n.providerId, n]),
    );
    resnapshot(tx, [...clients.values(), ...wabaList, ...numbers.values()]);
    return new ImportBatch(tx, partnerId, now, clients, wabasById, wabasByExternalId, numbers);
  }

  apply(r: ImportRecord): RecordOutcome {
    const client = this.client(r);
    const waba = this.waba(r, client.entity);
    const number = this.number(r, client.entity, waba.entity);
    if (number.isNew) return 'created';
    return client.changed || waba.changed || number.changed ? 'updated' : 'unchanged';
  }

  private newEntity<T extends object>(entity: T): T {
    this.tx.persist(entity);
    return entity;
  }

  private client(r: ImportRecord): { entity: Client; changed: boolean } {
    let changed = false;
    let client = this.clients.get(r.client.providerId);
    const clientIsNew = !client;
    if (!client) {
      client = this.newEntity(new Client(this.partner, r.client.providerId, r.client.name));
      this.clients.set(client.providerId, client);
    }
    const oldConsent = client.consentStatus;
    const nameChanged = assign(client, 'name', r.client.name);
    const emailChanged = assign(client, 'contactEmail', r.client.contactEmail);
    if ((nameChanged || emailChanged) && !clientIsNew) this.touchedClients.add(client);
    if (assign(client, 'consentStatus', r.client.consentStatus as Client['consentStatus'])) {
      if (!clientIsNew) addChange(this.clientChanges, client, { family: 'consent', from: oldConsent, to: client.consentStatus });
      changed = true;
    }
    if (this.touchedClients.has(client)) changed = true;
    return { entity: client, changed };
  }

  private waba(r: ImportRecord, client: Client): { entity: WabaAccount; changed: boolean } {
    let changed = false;
    let waba = r.waba.providerId
      ? this.wabasById.get(r.waba.providerId)
      : (this.wabasByExternalId.get(r.waba.externalId) ?? this.wabasById.get(r.waba.externalId));
    const wabaIsNew = !waba;
    if (!waba) {
      waba = this.newEntity(new WabaAccount(this.partner, client, r.waba.providerId ?? r.waba.externalId, r.waba.externalId));
      this.wabasById.set(waba.providerId, waba);
      this.wabasByExternalId.set(waba.externalId, waba);
    }
    if (waba.client !== client) {
      waba.client = client;
      changed = true;
    }
    if (assign(waba, 'externalId', r.waba.externalId)) {
      if (!wabaIsNew) this.touchedWabas.add(waba);
      changed = true;
    }
    // The namespace is in the search text of every number of the WABA.
    if (assign(waba, 'namespace', r.waba.namespace)) {
      if (!wabaIsNew) this.touchedWabas.add(waba);
      changed = true;
    }
    changed = assign(waba, 'timezoneId', r.waba.timezoneId) || changed;
    for (const [family, key] of WABA_FAMILIES) {
      const from = waba[key];
      if (assign(waba, key, r.waba[key] as never)) {
        if (!wabaIsNew) addChange(this.wabaChanges, waba, { family, from, to: waba[key] });
        changed = true;
      }
    }
    return { entity: waba, changed };
  }

  private number(r: ImportRecord, client: Client, waba: WabaAccount): { isNew: boolean; changed: boolean } {
    let changed = false;
    let number = this.numbers.get(r.number.providerId);
    if (!number) {
      number = this.newEntity(
        new WhatsappNumber({
          partner: this.partner,
          client,
          wabaAccount: waba,
          providerId: r.number.providerId,
          externalId: r.number.externalId,
          phoneNumber: r.number.phoneNumber,
          providerCreatedAt: r.number.providerCreatedAt,
          clientName: client.name,
          searchText: '',
        }),
      );
      number.statusChangedAt = this.now;
      this.numbers.set(number.providerId, number);
      this.newNumbers.add(number);
    }
    const isNew = this.newNumbers.has(number);
    if (number.client !== client) {
      number.client = client;
      changed = true;
    }
    if (number.wabaAccount !== waba) {
      number.wabaAccount = waba;
      changed = true;
    }
    for (const key of NUMBER_FIELDS) changed = assign(number, key, r.number[key] as never) || changed;
    for (const [family, key] of NUMBER_FAMILIES) {
      const from = number[key];
      if (assign(number, key, r.number[key] as never)) {
        changed = true;
        if (!isNew) this.history.push(this.change(number, { family, from, to: number[key] }));
        if (key === 'status') number.statusChangedAt = this.now;
      }
    }
    if (isNew) this.history.push(this.change(number, { family: 'lifecycle', from: null, to: number.status }));
    return { isNew, changed };
  }

  /**
   * Brings every number's copies in step, follows the batch's client and WABA changes to the
   * partner's numbers outside it, writes the history and flushes; returns how many status
   * changes (not first statuses) went into the history.
   */
  async finish(): Promise<number> {
    const { tx } = this;
    // After every record: a later record of the batch may rename a client or change a WABA
    // that an earlier one (a new number too) already uses.
    for (const n of this.numbers.values()) syncCopies(n);

    // Numbers not in this batch whose client or WABA changed: their copies and history follow.
    const affectedClients = [...new Set([...this.touchedClients, ...this.clientChanges.keys()])];
    const affectedWabas = [...new Set([...this.touchedWabas, ...this.wabaChanges.keys()])];
    if (affectedClients.length || affectedWabas.length) {
      const or: object[] = [];
      if (affectedClients.length) or.push({ client: { $in: affectedClients.map((c) => c.id) } });
      if (affectedWabas.length) or.push({ wabaAccount: { $in: affectedWabas.map((w) => w.id) } });
      const others = await tx.find(WhatsappNumber, { partner: this.partnerId, $or: or }, { populate: ['client', 'wabaAccount'] });
      resnapshot(
        tx,
        others.filter((n) => !this.newNumbers.has(n) && !this.numbers.has(n.providerId)),
      );
      for (const n of others) {
        if (this.newNumbers.has(n)) continue;
        syncCopies(n);
        for (const change of [...(this.clientChanges.get(n.client) ?? []), ...(this.wabaChanges.get(n.wabaAccount) ?? [])]) {
          this.history.push(this.change(n, change));
        }
      }
    }

    tx.persist(this.history);
    await tx.flush();
    tx.clear();
    return this.history.filter((h) => h.fromValue !== null).length;
  }

  private change(number: WhatsappNumber, change: Change): NumberStatusChange {
    return new NumberStatusChange({
      partner: this.partner,
      number,
      family: change.family,
      fromValue: change.from,
      toValue: change.to,
      source: 'import',
      changedAt: this.now,
    });
  }
}

/** The client name, country and search text a number carries, kept in step with their sources. */
function syncCopies(n: WhatsappNumber): void {
  const client = n.client;
  const waba = n.wabaAccount;
  assign(n, 'clientName', client.name);
  assign(n, 'countryCode', phoneCountry(n.phoneNumber));
  assign(
    n,
    'searchText',
    searchTextFor({
      phoneNumber: n.phoneNumber,
      displayName: n.displayName,
      clientName: client.name,
      contactEmail: client.contactEmail,
      ids: [n.providerId, n.externalId, waba.externalId, waba.providerId, waba.namespace, client.providerId],
    }),
  );
}
