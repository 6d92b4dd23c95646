import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MikroORM, type EntityManager, type FilterQuery } from '@mikro-orm/core';
import { NestFactory } from '@nestjs/core';
import { Client as PgClient } from 'pg';
import { Client } from '../../src/accounts/entities/client.entity';
import { NumberStatusChange } from '../../src/accounts/entities/number-status-change.entity';
import { WabaAccount } from '../../src/accounts/entities/waba-account.entity';
import { WhatsappNumber } from '../../src/accounts/entities/whatsapp-number.entity';
import { DEFAULT_PAGE_SIZE, DEFAULT_SORT, encodeCursor } from '../../src/accounts/number-filter';
import { NumberSummaries } from '../../src/accounts/number-summaries.service';
import { phoneCountry } from '../../src/accounts/phone';
import { searchTextFor } from '../../src/accounts/search-text';
import { familyValues, type FamilyKey } from '../../src/statuses';
import { AppModule } from '../../src/app.module';
import { ROOT } from '../../src/app.setup';
import { hashPassword } from '../../src/auth/passwords';
import { createLogger } from '../../src/common/logger';
import { migrateUp } from '../../src/database/migrations';
import { Sql } from '../../src/database/sql';
import { newId } from '../../src/common/ids';
import { DemoSeedService } from '../../src/demo/demo-seed.service';
import { OperatorKeysService } from '../../src/operator-api/operator-keys.service';
import { Partner } from '../../src/partners/entities/partner.entity';
import { PartnersService } from '../../src/partners/partners.service';
import { Revocation } from '../../src/revocation/entities/revocation.entity';
import { Membership } from '../../src/auth/entities/membership.entity';
import { User } from '../../src/auth/entities/user.entity';
import { benchConfig, benchEnv, type BenchDatabase, type Dialect } from './env';

/** A fresh database for one dialect: a SQLite file under var/bench/, or a PostgreSQL database made here. */
export async function createBenchDatabase(dialect: Dialect, serverUrl?: string): Promise<BenchDatabase & { drop(): Promise<void> }> {
  const tag = `${new Date().toISOString().slice(0, 10)}-${randomBytes(3).toString('hex')}`;
  if (dialect === 'sqlite') {
    const dir = join(ROOT, 'var', 'bench');
    mkdirSync(dir, { recursive: true });
    const sqlitePath = join(dir, `bench-${tag}.sqlite`);
    return {
      dialect,
      sqlitePath,
      drop: async () => {
        for (const suffix of ['', '-wal', '-shm']) rmSync(sqlitePath + suffix, { force: true });
      },
    };
  }
  if (!serverUrl) throw new Error('PostgreSQL needs DATABASE_URL (a server the bench may create a database on)');
  const name = `hub_bench_${tag.replace(/-/g, '_')}`;
  const admin = new PgClient({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    dialect,
    url: url.toString(),
    drop: async () => {
      const c = new PgClient({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export interface SeededPartner {
  id: string;
  name: string;
  numbers: number;
  owner: { email: string; password: string; name: string };
  /** More owners: the export rate limit is per person (10 an hour). */
  extra: { email: string; password: string }[];
  seedSeconds: number;
}

export interface Seeded {
  big: SeededPartner;
  small: SeededPartner;
  revocations: { partnerId: string; sets: { billingEndsAt: string; count: number }[]; seedSeconds: number };
  /**
   * Partners without numbers, that the import step imports the exported files into, and the
   * one the Partner API section loads the same records into over HTTP.
   */
  imports: { big: string; small: string; api: string };
  /** An operator key (`phk_op_…`) for the ingestion API, made as `operator:key create` makes it. */
  operatorKey: string;
  /** The big partner's client with BIG_CLIENT_NUMBERS numbers, for its page. */
  bigClient: { id: string; name: string; numbers: number };
  /** The status filter of the filtered-list check, and how many of the big partner's numbers it matches. */
  filter: { query: string; matches: number };
  /** Cursors and ids the scenarios request. */
  paths: {
    deep: string;
    first: string;
    last: string;
    smallDeep: string;
    details: string[];
    /** The status filter at a cursor half-way through what it matches. */
    filterDeep: string;
    /** The same numbers from the Partner API: `GET /api/v1/numbers` with the filter and the same cursor. */
    apiFilterDeep: string;
    /** The big client's page: the first page and a cursor half-way down. */
    clientFirst: string;
    clientDeep: string;
    /** A search for an accented client name typed in lower case without accents, and the same name typed as stored. */
    searchFolded: string;
    searchExact: string;
    /** The longest word of that name alone: a search of two words costs what one of them does. */
    searchWord: string;
  };
  migrateSeconds: number;
}

/** The numbers of the one big client of the big partner (its page is measured). */
export const BIG_CLIENT_NUMBERS = 5_000;
/** Its name: accents and letters that only fold by the table (ł, ß). */
const BIG_CLIENT_NAME = 'Łódź & Straße Großhandel Sp. z o.o.';
/** A client name the demo seed gives about one client in twelve, with accents; searched folded and as stored. */
const ACCENTED_NAME = 'Café Lumière';
/** The same name as someone without the accent keys types it. */
const ACCENTED_NAME_TYPED = 'cafe lumiere';
/** The filter of the filtered-list check: two problem statuses, together some 7 % of the demo seed's numbers. */
const STATUS_FILTER = 'lifecycle=error&lifecycle=suspended';
const STATUS_FILTER_VALUES = ['error', 'suspended'] as const;

const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const out = await fn();
  return [out, (performance.now() - t0) / 1000];
};

/**
 * Migrates and fills a bench database with DemoSeedService (the demo:seed command's code):
 * a partner with `bigCount` numbers (BIG_CLIENT_NUMBERS of them one client's, added here), one
 * with `smallCount`, and a third whose numbers carry three sets of `revocationCount` open
 * revocations due one day apart (2026-01-01, -02, -03 UTC, removal a year later), for the
 * baseline, the measured job and the job under load. The demo seed's client names include
 * accented ones ("Café Lumière …", "Müller & Söhne …"), and every search text is written by
 * searchTextFor, as the import writes it.
 */
export async function seedBenchDatabase(
  db: BenchDatabase,
  opts: { bigCount: number; smallCount: number; revocationCount: number; extraOwners: number },
  log: (line: string) => void,
): Promise<Seeded> {
  const config = benchConfig({ ...process.env, ...benchEnv(db) });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config, logger: createLogger('warn') }), {
    logger: ['error'],
  });
  try {
    const orm = app.get(MikroORM);
    const [, migrateSeconds] = await timed(() => migrateUp(orm));
    const demo = app.get(DemoSeedService);
    const password = randomBytes(12).toString('base64url');
    const passwordHash = await hashPassword(password);

    const partner = async (name: string, count: number, key: string): Promise<SeededPartner> => {
      log(`  seeding ${name}: ${count.toLocaleString('en-US')} numbers`);
      const [res, seedSeconds] = await timed(() => demo.seed({ partnerName: name, count, ownerEmail: `owner-${key}@bench.example` }));
      const em = orm.em.fork();
      const p = await em.findOneOrFail(Partner, res.partner.id);
      const extra: SeededPartner['extra'] = [];
      for (let i = 0; i < opts.extraOwners; i++) {
        const user = new User(`owner-${key}-${i}@bench.example`, `Bench Owner ${key} ${i}`);
        user.passwordHash = passwordHash;
        const m = new Membership(p, user, 'owner');
        m.acceptedAt = new Date();
        em.persist([user, m]);
        extra.push({ email: user.email, password });
      }
      await em.flush();
      log(`    ${seedSeconds.toFixed(1)} s`);
      return {
        id: p.id,
        name,
        numbers: res.numbers,
        owner: { email: res.owner!.email, password: res.owner!.password, name: 'Demo Owner' },
        extra,
        seedSeconds,
      };
    };
    // The big partner holds `bigCount` numbers: the demo seed's, and the big client's.
    const big = await partner(`Bench ${opts.bigCount} numbers`, opts.bigCount - BIG_CLIENT_NUMBERS, 'big');
    log(`  seeding ${BIG_CLIENT_NAME}: ${BIG_CLIENT_NUMBERS.toLocaleString('en-US')} numbers of the big partner`);
    const bigClient = await seedBigClient(orm.em.fork(), big.id);
    await app.get(NumberSummaries).refresh([big.id]);
    big.numbers += BIG_CLIENT_NUMBERS;
    const small = await partner(`Bench ${opts.smallCount} numbers`, opts.smallCount, 'small');
    const importsEm = orm.em.fork();
    const partners = app.get(PartnersService);
    const imports = {
      big: (await partners.create(importsEm, `Bench import ${opts.bigCount}`)).id,
      small: (await partners.create(importsEm, `Bench import ${opts.smallCount}`)).id,
      api: (await partners.create(importsEm, `Bench ingestion ${opts.bigCount}`)).id,
    };
    await importsEm.flush();
    const operatorKey = (await app.get(OperatorKeysService).create({ name: 'bench ingestion', expiresAt: null })).key;

    // Revocations: numbers of their own partner, so that the list pages above stay as seeded.
    const sets = ['2026-01-01', '2026-01-02', '2026-01-03'];
    log(`  seeding ${sets.length} x ${opts.revocationCount.toLocaleString('en-US')} due revocations`);
    const [revPartnerId, revSeconds] = await timed(async () => {
      const res = await demo.seed({ partnerName: 'Bench revocations', count: sets.length * opts.revocationCount });
      const em = orm.em.fork();
      const numbers = await em.find(WhatsappNumber, { partner: res.partner.id }, { fields: ['id'], orderBy: { id: 'asc' } });
      for (let s = 0; s < sets.length; s++) {
        const billingEndsAt = new Date(`${sets[s]}T00:00:00Z`);
        const chunk = numbers.slice(s * opts.revocationCount, (s + 1) * opts.revocationCount);
        for (let i = 0; i < chunk.length; i += 1000) {
          const rows = chunk.slice(i, i + 1000).map((n) => ({
            id: newId(),
            createdAt: billingEndsAt,
            updatedAt: billingEndsAt,
            partner: res.partner.id,
            number: n.id,
            requestedAt: new Date(billingEndsAt.getTime() - 31 * 86_400_000),
            terminationDate: new Date(billingEndsAt.getTime() - 86_400_000).toISOString().slice(0, 10),
            billingEndsAt,
            removeAt: new Date(billingEndsAt.getTime() + 365 * 86_400_000),
            noticeDays: 30,
            alignment: 'none',
            removalGraceDays: 365,
            billingTimeZone: 'UTC',
          }));
          await em.insertMany(Revocation, rows as never[]);
        }
      }
      await em.getConnection().execute(
        `update whatsapp_number set billing_state = 'revocation_requested'
            where partner_id = ? and id in (select number_id from revocation where partner_id = ?)`,
        [res.partner.id, res.partner.id],
      );
      return res.partner.id;
    });
    log(`    ${revSeconds.toFixed(1)} s`);
    // The database as a live one is kept: fresh planner statistics everywhere (the revocations'
    // too: without them PostgreSQL joined them as if there were a few dozen, and a download's
    // batch took 0.9 s, not 8 ms), and on PostgreSQL what autovacuum does after such inserts
    // (it is off on the machines the bench runs on): the visibility map that index-only scans
    // read (without it a client page's counts read 5,000 rows from the table, 6 ms, not 1).
    await app.get(Sql).run(db.dialect === 'postgresql' ? 'vacuum (analyze)' : 'analyze');

    // Pages: the first, one half-way down (a deep cursor), the last; the small partner half-way;
    // the status filter half-way through what it matches; the big client's page and half-way.
    const em = orm.em.fork();
    const cursorAt = async (where: FilterQuery<WhatsappNumber>, offset: number, base: string, param = 'after') => {
      const [row] = await em.find(
        WhatsappNumber,
        { $and: [where, { billingState: { $ne: 'removed' } }] },
        {
          orderBy: [{ providerCreatedAt: 'desc' }, { id: 'desc' }],
          offset,
          limit: 1,
          fields: ['id', 'providerCreatedAt'],
        },
      );
      const after = encodeCursor({ sort: DEFAULT_SORT, key: row.providerCreatedAt.toISOString(), id: row.id, pos: offset });
      return `${base}${base.includes('?') ? '&' : '?'}${param}=${after}`;
    };
    const filtered: FilterQuery<WhatsappNumber> = { partner: big.id, status: { $in: STATUS_FILTER_VALUES } };
    const matches = await em.count(WhatsappNumber, { $and: [filtered, { billingState: { $ne: 'removed' } }] });
    const details = await em.find(WhatsappNumber, { partner: big.id }, { fields: ['id'], orderBy: { id: 'asc' }, offset: 1000, limit: 50 });
    const search = (q: string) => `/accounts?${new URLSearchParams({ q })}`;
    const paths = {
      first: '/accounts',
      deep: await cursorAt({ partner: big.id }, Math.floor(big.numbers / 2), '/accounts'),
      // The cursor of the row before the last page: the page after it is the last one.
      last: await cursorAt({ partner: big.id }, big.numbers - DEFAULT_PAGE_SIZE - 1, '/accounts'),
      smallDeep: await cursorAt({ partner: small.id }, Math.floor(small.numbers / 2), '/accounts'),
      details: details.map((n) => `/accounts/${n.id}`),
      filterDeep: await cursorAt(filtered, Math.floor(matches / 2), `/accounts?${STATUS_FILTER}`),
      // The API takes the page's filter parameters and its cursors, as `cursor`.
      apiFilterDeep: await cursorAt(filtered, Math.floor(matches / 2), `/api/v1/numbers?${STATUS_FILTER}`, 'cursor'),
      clientFirst: `/clients/${bigClient.id}`,
      clientDeep: await cursorAt({ partner: big.id, client: bigClient.id }, BIG_CLIENT_NUMBERS / 2, `/clients/${bigClient.id}`),
      searchFolded: search(ACCENTED_NAME_TYPED),
      searchExact: search(ACCENTED_NAME),
      searchWord: search(ACCENTED_NAME_TYPED.split(' ').sort((a, b) => b.length - a.length)[0]),
    };
    return {
      big,
      small,
      bigClient,
      filter: { query: STATUS_FILTER, matches },
      imports,
      operatorKey,
      revocations: {
        partnerId: revPartnerId,
        sets: sets.map((d) => ({ billingEndsAt: `${d}T00:00:00Z`, count: opts.revocationCount })),
        seedSeconds: revSeconds,
      },
      paths,
      migrateSeconds,
    };
  } finally {
    await app.close();
  }
}

/** A small deterministic generator, as the demo seed's: the same run gives the same client. */
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

/**
 * One client of the big partner with BIG_CLIENT_NUMBERS numbers over ten WABA accounts, made
 * as the demo seed makes its clients (statuses mostly healthy but every value present, created
 * over the same 400 days, search text as the app writes it), with ids of its own.
 */
async function seedBigClient(em: EntityManager, partnerId: string): Promise<Seeded['bigClient']> {
  const rand = prng(7);
  const now = new Date();
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const status = (f: FamilyKey, i: number, healthy: string) => {
    const values = familyValues(f);
    return i < values.length ? values[i] : rand() < 0.7 ? healthy : pick(values);
  };
  const stamps = { createdAt: now, updatedAt: now, partner: partnerId };
  const client = {
    ...stamps,
    id: newId(),
    providerId: 'CLBENCH0001',
    name: BIG_CLIENT_NAME,
    contactEmail: 'ops@grosshandel-lodz.example',
    consentStatus: 'granted',
  };
  const wabas = Array.from({ length: 10 }, (_, w) => ({
    ...stamps,
    id: newId(),
    client: client.id,
    providerId: `WABENCH00${w}`,
    externalId: String(2_000_000_000_000 + w),
    namespace: `bench_${w}_grosshandel`,
    timezoneId: 55,
    status: status('waba', w, 'approved'),
    businessVerificationStatus: status('verification', w, 'verified'),
    messageOnBehalfStatus: status('onBehalf', w, 'approved'),
  }));
  await em.insertMany(Client, [client] as never[]);
  await em.insertMany(WabaAccount, wabas as never[]);
  for (let start = 0; start < BIG_CLIENT_NUMBERS; start += 500) {
    const numbers: object[] = [];
    const history: object[] = [];
    for (let i = start; i < Math.min(start + 500, BIG_CLIENT_NUMBERS); i++) {
      const waba = wabas[i % wabas.length];
      const phoneNumber = `+49152${String(10_000_000 + i)}`;
      const displayName = `Großhandel ${pick(['Support', 'Sales', 'Bookings', 'Alerts', 'Care'])}`;
      const providerId = `CHBENCH${String(i + 1).padStart(6, '0')}`;
      const externalId = String(200_000_000_000 + i);
      const createdAt = new Date(now.getTime() - Math.floor(rand() * 400) * 86_400_000 - i * 1000);
      const lifecycle = status('lifecycle', i, pick(['running', 'live']));
      const id = newId();
      numbers.push({
        ...stamps,
        id,
        client: client.id,
        wabaAccount: waba.id,
        providerId,
        externalId,
        phoneNumber,
        displayName,
        status: lifecycle,
        statusChangedAt: createdAt,
        accountMode: 'live',
        registrationStatus: status('registration', i, 'registered'),
        registrationMethod: 'sms',
        ivr: false,
        qualityRating: status('quality', i, 'green'),
        messagingTier: status('tier', i, 'tier_1k'),
        billingState: 'partner_paid',
        providerCreatedAt: createdAt,
        clientName: client.name,
        countryCode: phoneCountry(phoneNumber),
        searchText: searchTextFor({
          phoneNumber,
          displayName,
          clientName: client.name,
          contactEmail: client.contactEmail,
          ids: [providerId, externalId, waba.externalId, waba.providerId, waba.namespace, client.providerId],
        }),
      });
      history.push({
        ...stamps,
        id: newId(),
        number: id,
        family: 'lifecycle',
        fromValue: null,
        toValue: lifecycle,
        source: 'demo',
        changedAt: createdAt,
      });
    }
    await em.insertMany(WhatsappNumber, numbers as never[]);
    await em.insertMany(NumberStatusChange, history as never[]);
  }
  return { id: client.id, name: client.name, numbers: BIG_CLIENT_NUMBERS };
}
