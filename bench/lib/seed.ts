import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import { NestFactory } from '@nestjs/core';
import { Client as PgClient } from 'pg';
import { WhatsappNumber } from '../../src/accounts/entities/whatsapp-number.entity';
import { cursorFor } from '../../src/accounts/number-filter';
import { PAGE_SIZE } from '../../src/accounts/accounts.service';
import { AppModule } from '../../src/app.module';
import { ROOT } from '../../src/app.setup';
import { hashPassword } from '../../src/auth/passwords';
import { createLogger } from '../../src/common/logger';
import { migrateUp } from '../../src/database/migrations';
import { newId } from '../../src/common/ids';
import { DemoSeedService } from '../../src/demo/demo-seed.service';
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
  /** Partners without numbers, that the import step imports the exported files into. */
  imports: { big: string; small: string };
  /** Cursors and ids the scenarios request. */
  paths: { deep: string; first: string; last: string; smallDeep: string; details: string[] };
  migrateSeconds: number;
}

const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const out = await fn();
  return [out, (performance.now() - t0) / 1000];
};

/**
 * Migrates and fills a bench database with DemoSeedService (the demo:seed command's code):
 * a partner with `bigCount` numbers, one with `smallCount`, and a third whose numbers carry
 * three sets of `revocationCount` open revocations due one day apart (2026-01-01, -02, -03
 * UTC, removal a year later), for the baseline, the measured job and the job under load.
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
    const big = await partner(`Bench ${opts.bigCount} numbers`, opts.bigCount, 'big');
    const small = await partner(`Bench ${opts.smallCount} numbers`, opts.smallCount, 'small');
    const importsEm = orm.em.fork();
    const partners = app.get(PartnersService);
    const imports = {
      big: (await partners.create(importsEm, `Bench import ${opts.bigCount}`)).id,
      small: (await partners.create(importsEm, `Bench import ${opts.smallCount}`)).id,
    };
    await importsEm.flush();

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

    // Pages: the first, one half-way down (a deep cursor), the last; the small partner half-way.
    const em = orm.em.fork();
    const cursorAt = async (partnerId: string, offset: number) => {
      const [row] = await em.find(
        WhatsappNumber,
        { partner: partnerId, billingState: { $ne: 'removed' } },
        {
          orderBy: [{ providerCreatedAt: 'desc' }, { id: 'desc' }],
          offset,
          limit: 1,
          fields: ['id', 'providerCreatedAt', 'clientName', 'phoneNumber'],
        },
      );
      return `/accounts?after=${cursorFor('newest', row)}`;
    };
    const details = await em.find(WhatsappNumber, { partner: big.id }, { fields: ['id'], orderBy: { id: 'asc' }, offset: 1000, limit: 50 });
    const paths = {
      first: '/accounts',
      deep: await cursorAt(big.id, Math.floor(big.numbers / 2)),
      // The cursor of the row before the last page: the page after it is the last one.
      last: await cursorAt(big.id, big.numbers - PAGE_SIZE - 1),
      smallDeep: await cursorAt(small.id, Math.floor(small.numbers / 2)),
      details: details.map((n) => `/accounts/${n.id}`),
    };
    return {
      big,
      small,
      imports,
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
