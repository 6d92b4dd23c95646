import { randomBytes } from 'node:crypto';
import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';
import { Client } from '../accounts/entities/client.entity';
import { NumberStatusChange } from '../accounts/entities/number-status-change.entity';
import { WabaAccount } from '../accounts/entities/waba-account.entity';
import { WhatsappNumber } from '../accounts/entities/whatsapp-number.entity';
import { NumberSummaries } from '../accounts/number-summaries.service';
import { phoneCountry, searchTextFor } from '../accounts';
import { hashPassword } from '../auth';
import { Clock } from '../common/clock';
import { canonicalEmail } from '../common/email';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { dialectOf } from '../database/orm.config';
import { Sql } from '../database/sql';
import { newId } from '../common/ids';
import { Partner } from '../partners/entities/partner.entity';
import { PartnersService } from '../partners/partners.service';
import { familyValues, type FamilyKey } from '../statuses';
import { Membership } from '../auth/entities/membership.entity';
import { User } from '../auth/entities/user.entity';

/** A small deterministic generator: the same seed gives the same demo data. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMPANIES = [
  'Acme Retail',
  'Nordlicht Reisen',
  'Café Lumière',
  'Sakura Foods',
  'Blue Harbor Logistics',
  'Müller & Söhne',
  'Rio Verde Seguros',
  'Atlas Telecom',
  'Kestrel Health',
  'Orchid Beauty',
  'Pampa Motors',
  'Zenith Bank',
];
const SUFFIXES = ['GmbH', 'Ltd', 'SA', 'Inc.', 'BV', 'AG', 'S.L.', 'Pty Ltd'];
// Mobile ranges of Germany, the United Kingdom, Brazil, India and Spain, and the digits of a
// whole number in each: every number made passes the import's E.164 validation.
const PHONE_PREFIXES = ['+49151', '+447912', '+55119', '+9198', '+346'];
const PHONE_LENGTHS = [13, 12, 13, 12, 11];

export interface DemoResult {
  partner: Partner;
  numbers: number;
  owner?: { email: string; password: string };
}

/** The PostgreSQL advisory lock that development starts take to seed a new database once. */
const DEMO_SEED_LOCK_KEY = 7_414_756_330_022;

@Injectable()
export class DemoSeedService {
  private readonly postgres: boolean;

  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly partners: PartnersService,
    private readonly summaries: NumberSummaries,
    private readonly sql: Sql,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.postgres = dialectOf(config) === 'postgresql';
  }

  /**
   * The development start's demo partner, made only into a database with no partner yet (the
   * first start of the embedded default). The check is made inside the seeding transaction,
   * under a lock every such start takes (the write lock on SQLite, an advisory lock on
   * PostgreSQL): two starts on one new database seed it once, and the other gets null.
   */
  async seedIfEmpty(opts: { partnerName: string; count: number; ownerEmail?: string }): Promise<DemoResult | null> {
    return this.make(opts, true);
  }

  /**
   * A partner with `count` numbers spread over clients, WABA accounts and every status of
   * every family, deterministic for a given seed. With `ownerEmail`, an owner who can sign in
   * at once with the returned password (development only).
   */
  async seed(opts: { partnerName: string; count: number; seed?: number; ownerEmail?: string }): Promise<DemoResult> {
    return (await this.make(opts, false))!;
  }

  private async make(
    opts: { partnerName: string; count: number; seed?: number; ownerEmail?: string },
    onlyIntoEmpty: boolean,
  ): Promise<DemoResult | null> {
    const rand = prng(opts.seed ?? 42);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
    const now = this.clock.now();
    // Hashed before the transaction: a start that waits for another's seed waits less.
    const password = opts.ownerEmail ? randomBytes(12).toString('base64url') : undefined;
    const passwordHash = password ? await hashPassword(password) : undefined;
    const em = this.em.fork();
    const result = await em.transactional(async (tx): Promise<DemoResult | null> => {
      if (onlyIntoEmpty) {
        if (this.postgres) {
          // Waits as long as the other start's seed takes, not the statement timeout.
          await this.sql.run('set local statement_timeout = 0', [], tx);
          await this.sql.all('select pg_advisory_xact_lock(?)', [DEMO_SEED_LOCK_KEY], tx);
        }
        if ((await tx.count(Partner, {})) > 0) return null;
      }
      const partner = await this.partners.create(tx, opts.partnerName);
      let owner: DemoResult['owner'];
      if (opts.ownerEmail && password && passwordHash) {
        // Stored addresses are canonical (common/email.ts), or this would make a second person.
        const ownerEmail = canonicalEmail(opts.ownerEmail);
        const user = (await tx.findOne(User, { email: ownerEmail })) ?? new User(ownerEmail, 'Demo Owner');
        user.passwordHash = passwordHash;
        const membership = new Membership(partner, user, 'owner');
        membership.acceptedAt = now;
        tx.persist([user, membership]);
        owner = { email: ownerEmail, password };
      }
      await tx.flush();

      const families: FamilyKey[] = ['lifecycle', 'waba', 'verification', 'onBehalf', 'registration', 'consent', 'quality', 'tier'];
      const values = Object.fromEntries(families.map((f) => [f, familyValues(f)])) as Record<FamilyKey, string[]>;
      // Mostly healthy, like a real portfolio, but every value appears.
      const status = (f: FamilyKey, i: number, healthy: string) =>
        i < values[f].length ? values[f][i] : rand() < 0.7 ? healthy : pick(values[f]);

      const batch = 500;
      let made = 0;
      let clientNo = 0;
      while (made < opts.count) {
        const clients: object[] = [];
        const wabas: object[] = [];
        const numbers: object[] = [];
        const history: object[] = [];
        while (numbers.length < batch && made < opts.count) {
          clientNo++;
          const clientName = `${pick(COMPANIES)} ${clientNo} ${pick(SUFFIXES)}`;
          const client = {
            id: newId(),
            createdAt: now,
            updatedAt: now,
            partner: partner.id,
            providerId: `CL${String(clientNo).padStart(7, '0')}`,
            name: clientName,
            contactEmail: `ops${clientNo}@client${clientNo}.example`,
            consentStatus: status('consent', clientNo - 1, 'granted'),
          };
          clients.push(client);
          const wabaCount = 1 + Math.floor(rand() * 2);
          for (let w = 0; w < wabaCount && made < opts.count; w++) {
            const waba = {
              id: newId(),
              createdAt: now,
              updatedAt: now,
              partner: partner.id,
              client: client.id,
              providerId: `WA${String(clientNo).padStart(7, '0')}${w}`,
              externalId: String(1_000_000_000_000 + clientNo * 10 + w),
              namespace: `${clientNo}_${randomHex(rand, 8)}`,
              timezoneId: Math.floor(rand() * 480),
              status: status('waba', made, 'approved'),
              businessVerificationStatus: status('verification', made, 'verified'),
              messageOnBehalfStatus: status('onBehalf', made, 'approved'),
            };
            wabas.push(waba);
            const numberCount = 1 + Math.floor(rand() * 2);
            for (let k = 0; k < numberCount && made < opts.count; k++) {
              const p = made % PHONE_PREFIXES.length;
              const prefix = PHONE_PREFIXES[p];
              const digits = PHONE_LENGTHS[p] - (prefix.length - 1);
              const phoneNumber = prefix + String(Math.floor(rand() * 10 ** digits)).padStart(digits, '0');
              const displayName = `${clientName.split(' ')[0]} ${pick(['Support', 'Sales', 'Bookings', 'Alerts', 'Care'])}`;
              const providerId = `CH${String(made + 1).padStart(8, '0')}`;
              const externalId = String(100_000_000_000 + made);
              const createdAt = new Date(now.getTime() - Math.floor(rand() * 400) * 86_400_000 - made * 1000);
              const lifecycle = status('lifecycle', made, pick(['running', 'live']));
              const id = newId();
              numbers.push({
                id,
                createdAt: now,
                updatedAt: now,
                partner: partner.id,
                client: client.id,
                wabaAccount: waba.id,
                providerId,
                externalId,
                phoneNumber,
                displayName,
                status: lifecycle,
                statusChangedAt: createdAt,
                accountMode: 'live',
                registrationStatus: status('registration', made, 'registered'),
                registrationMethod: rand() < 0.8 ? 'sms' : 'voice',
                ivr: rand() < 0.1,
                qualityRating: status('quality', made, 'green'),
                messagingTier: status('tier', made, 'tier_1k'),
                billingState: 'partner_paid',
                providerCreatedAt: createdAt,
                clientName,
                countryCode: phoneCountry(phoneNumber),
                searchText: searchTextFor({
                  phoneNumber,
                  displayName,
                  clientName,
                  contactEmail: client.contactEmail,
                  ids: [providerId, externalId, waba.externalId, waba.providerId, waba.namespace, client.providerId],
                }),
              });
              history.push({
                id: newId(),
                createdAt: now,
                updatedAt: now,
                partner: partner.id,
                number: id,
                family: 'lifecycle',
                fromValue: null,
                toValue: lifecycle,
                source: 'demo',
                changedAt: createdAt,
              });
              made++;
            }
          }
        }
        await tx.insertMany(Client, clients as never[]);
        await tx.insertMany(WabaAccount, wabas as never[]);
        await tx.insertMany(WhatsappNumber, numbers as never[]);
        await tx.insertMany(NumberStatusChange, history as never[]);
      }
      return { partner, numbers: made, owner };
    });
    if (!result) return null;
    // A new partner: no counts to mark in the transaction; counted once it committed.
    await this.summaries.refresh([result.partner.id]);
    return result;
  }
}

function randomHex(rand: () => number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += Math.floor(rand() * 16).toString(16);
  return s;
}
