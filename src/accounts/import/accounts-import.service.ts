import { EntityManager, LockMode, wrap } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { Partner } from '../../partners/entities/partner.entity';
import type { FamilyKey } from '../../statuses';
import { Client } from '../entities/client.entity';
import { NumberStatusChange } from '../entities/number-status-change.entity';
import { WabaAccount } from '../entities/waba-account.entity';
import { WhatsappNumber } from '../entities/whatsapp-number.entity';
import { NumberSummaries } from '../number-summaries.service';
import { phoneCountry } from '../phone';
import { searchTextFor } from '../search-text';
import type { ImportRecord } from './import-record';
import { channelItems, detectFormat, readSource, type ImportFormat, type SourceItem } from './sources';
import { Sql } from '../../database/sql';
import { analyzeAccountTables, countNumbers } from '../number.query';

export interface ImportOptions {
  /** Import the valid records even when some are invalid. */
  skipInvalid?: boolean;
  format?: ImportFormat;
  batchSize?: number;
}

/** Where the records come from: read twice (validation, then writing), from the start each time. */
interface ImportSource {
  format: ImportFormat;
  read(): AsyncIterable<SourceItem>;
}

export interface ImportProblem {
  position: string;
  reason: string;
}

export interface ImportResult {
  format: ImportFormat;
  records: number;
  invalid: number;
  /** The first MAX_PROBLEMS problems (`invalid` counts them all). */
  problems: ImportProblem[];
  written: boolean;
  created: number;
  updated: number;
  unchanged: number;
  statusChanges: number;
}

const MAX_PROBLEMS = 1_000;
const DEFAULT_BATCH = 1_000;
/**
 * An import that creates this many numbers, and at least a tenth of the number table,
 * refreshes the planners' statistics of the table: batches of 1,000 into a large table leave
 * them as they were (ANALYZE reads the table: 0.4 s at 100,000 numbers on SQLite).
 */
const ANALYZE_AFTER_CREATED = 1_000;
const ANALYZE_AFTER_GROWTH = 0.1;

type Change = { family: FamilyKey; from: string | null; to: string };

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

/**
 * Imports a partner's account data (the JSON form of the Partner API, or the CSV export's
 * form), keyed by the provider's ids, from a file (accounts:import) or from a list of channels
 * already in memory (the operator API): one code path, so the same validation, messages and
 * writes. Every record is validated first, in a pass that keeps no records; only then are they
 * written, streamed again in batches with the identity map cleared between them, so memory
 * stays bounded whatever the file size. A re-import of the same data writes nothing; each
 * changed status is appended to the number's history.
 */
@Injectable()
export class AccountsImportService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly summaries: NumberSummaries,
    private readonly sql: Sql,
  ) {}

  async importFile(partnerId: string, path: string, options: ImportOptions = {}): Promise<ImportResult> {
    const format = options.format ?? (await detectFormat(path));
    return this.import(partnerId, { format, read: () => readSource(path, format) }, options);
  }

  /** The elements of a `partner_channels` list, as the JSON file form holds them. */
  importChannels(partnerId: string, channels: readonly unknown[], options: Omit<ImportOptions, 'format'> = {}): Promise<ImportResult> {
    return this.import(partnerId, { format: 'json', read: () => channelItems(channels) }, options);
  }

  private async import(partnerId: string, source: ImportSource, options: ImportOptions): Promise<ImportResult> {
    const result: ImportResult = {
      format: source.format,
      records: 0,
      invalid: 0,
      problems: [],
      written: false,
      created: 0,
      updated: 0,
      unchanged: 0,
      statusChanges: 0,
    };

    // Pass 1: validate everything, keep only the problems.
    for await (const item of this.validated(source)) {
      result.records++;
      if (!item.ok) {
        result.invalid++;
        if (result.problems.length < MAX_PROBLEMS) result.problems.push({ position: item.position, reason: item.reason });
      }
    }
    if (result.invalid > 0 && !options.skipInvalid) return result;

    // Pass 2: write the valid records in one transaction, batch by batch.
    const batchSize = options.batchSize ?? DEFAULT_BATCH;
    const now = this.clock.now();
    await this.em.fork().transactional(async (tx) => {
      // One import of a partner at a time: a second one (two requests of the operator API at
      // once) waits here, then finds the first one's rows instead of inserting them again.
      // SQLite's write lock (BEGIN IMMEDIATE) already does this; knex writes no FOR UPDATE there.
      await tx.findOne(Partner, partnerId, { fields: ['id'], lockMode: LockMode.PESSIMISTIC_WRITE });
      let batch: ImportRecord[] = [];
      for await (const item of this.validated(source)) {
        if (!item.ok) continue;
        batch.push(item.record);
        if (batch.length >= batchSize) {
          await this.writeBatch(tx, partnerId, batch, now, result);
          batch = [];
        }
      }
      if (batch.length) await this.writeBatch(tx, partnerId, batch, now, result);
      if (result.created + result.updated > 0) await this.summaries.markChanged(tx, [partnerId]);
    });
    result.written = true;
    // The partner's list shows the new counts at once, not at the next SUMMARY_CRON tick.
    if (result.created + result.updated > 0) await this.summaries.refresh([partnerId]);
    // After a bulk load the planners need fresh statistics: without them SQLite counted a
    // client's numbers through the wrong index (75 ms instead of 2 ms at 100,000 numbers) and
    // PostgreSQL sorted a filtered page it could have read in order.
    if (result.created >= ANALYZE_AFTER_CREATED && result.created >= ANALYZE_AFTER_GROWTH * (await countNumbers(this.sql))) {
      await analyzeAccountTables(this.sql);
    }
    return result;
  }

  /** The source's records, with a number id that appears twice reported at its second place. */
  private async *validated(source: ImportSource): AsyncGenerator<SourceItem> {
    const seen = new Set<string>();
    for await (const item of source.read()) {
      if (item.ok) {
        const id = item.record.number.providerId;
        if (seen.has(id)) {
          yield { ok: false, reason: `the number id "${id.slice(0, 64)}" appears earlier in the file`, position: item.position };
          continue;
        }
        seen.add(id);
      }
      yield item;
    }
  }

  private async writeBatch(tx: EntityManager, partnerId: string, records: ImportRecord[], now: Date, result: ImportResult): Promise<void> {
    const partner = tx.getReference(Partner, partnerId);
    const unique = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => !!x))];

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

    const history: NumberStatusChange[] = [];
    const newNumbers = new Set<WhatsappNumber>();
    const touchedClients = new Set<Client>();
    const touchedWabas = new Set<WabaAccount>();
    const clientChanges = new Map<Client, Change[]>();
    const wabaChanges = new Map<WabaAccount, Change[]>();
    const addChange = <K>(map: Map<K, Change[]>, key: K, change: Change) => {
      const list = map.get(key) ?? [];
      list.push(change);
      map.set(key, list);
    };
    const newEntity = <T extends object>(entity: T): T => {
      tx.persist(entity);
      return entity;
    };

    for (const r of records) {
      let changed = false;

      // Client
      let client = clients.get(r.client.providerId);
      const clientIsNew = !client;
      if (!client) {
        client = newEntity(new Client(partner, r.client.providerId, r.client.name));
        clients.set(client.providerId, client);
      }
      const oldConsent = client.consentStatus;
      const nameChanged = assign(client, 'name', r.client.name);
      const emailChanged = assign(client, 'contactEmail', r.client.contactEmail);
      if ((nameChanged || emailChanged) && !clientIsNew) touchedClients.add(client);
      if (assign(client, 'consentStatus', r.client.consentStatus as Client['consentStatus'])) {
        if (!clientIsNew) addChange(clientChanges, client, { family: 'consent', from: oldConsent, to: client.consentStatus });
        changed = true;
      }
      if (touchedClients.has(client)) changed = true;

      // WABA account
      let waba = r.waba.providerId
        ? wabasById.get(r.waba.providerId)
        : (wabasByExternalId.get(r.waba.externalId) ?? wabasById.get(r.waba.externalId));
      const wabaIsNew = !waba;
      if (!waba) {
        waba = newEntity(new WabaAccount(partner, client, r.waba.providerId ?? r.waba.externalId, r.waba.externalId));
        wabasById.set(waba.providerId, waba);
        wabasByExternalId.set(waba.externalId, waba);
      }
      if (waba.client !== client) {
        waba.client = client;
        changed = true;
      }
      if (assign(waba, 'externalId', r.waba.externalId)) {
        if (!wabaIsNew) touchedWabas.add(waba);
        changed = true;
      }
      // The namespace is in the search text of every number of the WABA.
      if (assign(waba, 'namespace', r.waba.namespace)) {
        if (!wabaIsNew) touchedWabas.add(waba);
        changed = true;
      }
      changed = assign(waba, 'timezoneId', r.waba.timezoneId) || changed;
      const wabaFamilies: [FamilyKey, 'status' | 'businessVerificationStatus' | 'messageOnBehalfStatus'][] = [
        ['waba', 'status'],
        ['verification', 'businessVerificationStatus'],
        ['onBehalf', 'messageOnBehalfStatus'],
      ];
      for (const [family, key] of wabaFamilies) {
        const from = waba[key];
        if (assign(waba, key, r.waba[key] as never)) {
          if (!wabaIsNew) addChange(wabaChanges, waba, { family, from, to: waba[key] });
          changed = true;
        }
      }

      // Number
      let number = numbers.get(r.number.providerId);
      if (!number) {
        number = newEntity(
          new WhatsappNumber({
            partner,
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
        number.statusChangedAt = now;
        numbers.set(number.providerId, number);
        newNumbers.add(number);
      }
      const isNew = newNumbers.has(number);
      if (number.client !== client) {
        number.client = client;
        changed = true;
      }
      if (number.wabaAccount !== waba) {
        number.wabaAccount = waba;
        changed = true;
      }
      for (const key of [
        'externalId',
        'phoneNumber',
        'displayName',
        'accountMode',
        'registrationMethod',
        'ivr',
        'providerCreatedAt',
      ] as const) {
        changed = assign(number, key, r.number[key] as never) || changed;
      }
      const numberFamilies: [FamilyKey, 'status' | 'registrationStatus' | 'qualityRating' | 'messagingTier'][] = [
        ['lifecycle', 'status'],
        ['registration', 'registrationStatus'],
        ['quality', 'qualityRating'],
        ['tier', 'messagingTier'],
      ];
      for (const [family, key] of numberFamilies) {
        const from = number[key];
        if (assign(number, key, r.number[key] as never)) {
          changed = true;
          if (!isNew) history.push(this.change(partner, number, { family, from, to: number[key] }, now));
          if (key === 'status') number.statusChangedAt = now;
        }
      }
      if (isNew) history.push(this.change(partner, number, { family: 'lifecycle', from: null, to: number.status }, now));

      if (isNew) result.created++;
      else if (changed) result.updated++;
      else result.unchanged++;
    }
    // After every record: a later record of the batch may rename a client or change a WABA
    // that an earlier one (a new number too) already uses.
    for (const n of numbers.values()) this.syncCopies(n);

    // Numbers not in this batch whose client or WABA changed: their copies and history follow.
    const affectedClients = [...new Set([...touchedClients, ...clientChanges.keys()])];
    const affectedWabas = [...new Set([...touchedWabas, ...wabaChanges.keys()])];
    if (affectedClients.length || affectedWabas.length) {
      const or: object[] = [];
      if (affectedClients.length) or.push({ client: { $in: affectedClients.map((c) => c.id) } });
      if (affectedWabas.length) or.push({ wabaAccount: { $in: affectedWabas.map((w) => w.id) } });
      const others = await tx.find(WhatsappNumber, { partner: partnerId, $or: or }, { populate: ['client', 'wabaAccount'] });
      resnapshot(
        tx,
        others.filter((n) => !newNumbers.has(n) && !numbers.has(n.providerId)),
      );
      for (const n of others) {
        if (newNumbers.has(n)) continue;
        this.syncCopies(n);
        for (const change of [...(clientChanges.get(n.client) ?? []), ...(wabaChanges.get(n.wabaAccount) ?? [])]) {
          history.push(this.change(partner, n, change, now));
        }
      }
    }

    tx.persist(history);
    result.statusChanges += history.filter((h) => h.fromValue !== null).length;
    await tx.flush();
    tx.clear();
  }

  private change(partner: Partner, number: WhatsappNumber, change: Change, now: Date): NumberStatusChange {
    const entry = new NumberStatusChange({
      partner,
      number,
      family: change.family,
      fromValue: change.from,
      toValue: change.to,
      source: 'import',
      changedAt: now,
    });
    return entry;
  }

  /** The client name, country and search text a number carries, kept in step with their sources. */
  private syncCopies(n: WhatsappNumber): void {
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
}
