import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate as nextTick } from 'node:timers/promises';
import { stringify } from 'csv-stringify';
import { attentionWhere } from '../../src/accounts/number-sql';
import { CSV_FORMAT, CSV_HEADERS, csvRecord, type ExportRow } from '../../src/exports/csv-columns';
import { benchConfig, dbFromEnv, maxRssMb } from '../lib/env';
import { openRaw, type RawDb } from '../lib/raw';

/**
 * One export of a partner's numbers (newest first, no filter), in a process of its own so
 * that its peak memory is its own: `app` is the CSV (with the BOM) through the app's
 * ExportsService, `baseline` the same CSV through the bare driver and csv-stringify with the
 * same columns and cells, `xlsx` the Excel workbook through the app's ExportsService (its
 * streaming writer, dates in Europe/Berlin). Reports the time, the bytes, their SHA-256 and
 * the process's peak RSS; with `out`, the bytes are also written to that file.
 * argv[2]: {"mode":"app"|"baseline"|"xlsx","partnerId":"…","out"?:"…"}
 */
class Sink extends Writable {
  hash = createHash('sha256');
  bytes = 0;
  /** With a file descriptor, the bytes are also written there (the import step's input). */
  constructor(private readonly fd?: number) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void) {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (this.fd !== undefined) writeSync(this.fd, chunk);
    done();
  }
}

/** Loaded only in app mode, so that a baseline process does not carry the app's modules. */
function appModules() {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    NestFactory: (require('@nestjs/core') as typeof import('@nestjs/core')).NestFactory,
    AppModule: (require('../../src/app.module') as typeof import('../../src/app.module')).AppModule,
    createLogger: (require('../../src/common/logger') as typeof import('../../src/common/logger')).createLogger,
    ExportsService: (require('../../src/exports/exports.service') as typeof import('../../src/exports/exports.service')).ExportsService,
    emptyFilter: (require('../../src/accounts/number-filter') as typeof import('../../src/accounts/number-filter')).emptyFilter,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

async function viaApp(partnerId: string, sink: Sink, format: 'csv' | 'xlsx') {
  const { NestFactory, AppModule, createLogger, ExportsService, emptyFilter } = appModules();
  const config = benchConfig();
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config, logger: createLogger('warn') }), {
    logger: ['error'],
  });
  const service = app.get(ExportsService);
  const rssBefore = process.memoryUsage().rss / 2 ** 20;
  const started = performance.now();
  const result =
    format === 'xlsx'
      ? await service.writeXlsx(partnerId, emptyFilter(), sink, { timeZone: 'Europe/Berlin' })
      : await service.writeCsv(partnerId, emptyFilter(), sink, { bom: true });
  const ms = performance.now() - started;
  await app.close();
  return { ms, rows: result.rows, rssBeforeMb: rssBefore };
}

/** Rows per query, as the app's CSV reads them (DEFAULT_BATCH_SIZE; its module is not loaded here). */
const BATCH = 250;

/** What the app's export query reads, written by hand, keyset-paged like the app. */
const SELECT = `
  select c.name as "companyName", n.phone_number as "phoneNumber", c.contact_email as "contactEmail",
         w.message_on_behalf_status as "onBehalf", w.business_verification_status as "verification",
         n.registration_status as "registration", c.provider_id as "clientId", n.provider_id as "numberId",
         w.external_id as "wabaExternalId", n.external_id as "channelExternalId", w.namespace as "namespace",
         n.status as "lifecycle", c.consent_status as "consent", n.billing_state as "billing",
         r.termination_date as "terminationDate", n.provider_created_at as "createdAt",
         n.display_name as "displayName", n.country_code as "countryCode", w.status as "wabaStatus", w.timezone_id as "timezoneId", n.ivr as "ivr",
         n.registration_method as "registrationMethod", n.quality_rating as "qualityRating",
         n.messaging_tier as "messagingTier", r.remove_at as "removeAt",
         case when %ATTENTION% then 1 else 0 end as "needsAttention", n.id as "cursorId"
    from whatsapp_number n
    left join client c on c.id = n.client_id
    left join waba_account w on w.id = n.waba_account_id
    left join revocation r on r.number_id = n.id and r.withdrawn_at is null
   where n.partner_id = ? and n.billing_state <> 'removed' %AFTER%
   order by n.provider_created_at desc, n.id desc
   limit ${BATCH}`;

async function viaBaseline(partnerId: string, sink: Sink) {
  const db: RawDb = openRaw(dbFromEnv(), 1);
  const rssBefore = process.memoryUsage().rss / 2 ** 20;
  const started = performance.now();
  const csv = stringify({ header: true, columns: [...CSV_HEADERS], bom: true, ...CSV_FORMAT });
  const done = pipeline(csv, sink);
  let rows = 0;
  let last: (ExportRow & { cursorId: string }) | undefined;
  // The list's "needs attention" rule, as the app evaluates it in its query.
  const attention = attentionWhere(new Date());
  const attentionParams = attention.params.map((p) => (p instanceof Date ? db.date(p) : p));
  const select = SELECT.replace('%ATTENTION%', attention.sql);
  for (;;) {
    const params: unknown[] = [...attentionParams, partnerId];
    let sql = select.replace('%AFTER%', '');
    if (last) {
      sql = select.replace('%AFTER%', 'and (n.provider_created_at, n.id) < (?, ?)');
      params.push(last.createdAt, last.cursorId);
    }
    const batch = await db.all<ExportRow & { cursorId: string }>(sql, params);
    for (const row of batch) {
      if (!csv.write(csvRecord(row))) await new Promise((r) => csv.once('drain', r));
      rows++;
    }
    if (batch.length < BATCH) break;
    last = batch[batch.length - 1];
    await nextTick();
  }
  csv.end();
  await done;
  const ms = performance.now() - started;
  await db.close();
  return { ms, rows, rssBeforeMb: rssBefore };
}

async function main() {
  const { mode, partnerId, out } = JSON.parse(process.argv[2]) as { mode: 'app' | 'baseline' | 'xlsx'; partnerId: string; out?: string };
  const fd = out === undefined ? undefined : openSync(out, 'w');
  const sink = new Sink(fd);
  const r = mode === 'baseline' ? await viaBaseline(partnerId, sink) : await viaApp(partnerId, sink, mode === 'xlsx' ? 'xlsx' : 'csv');
  if (fd !== undefined) closeSync(fd);
  process.send!({ mode, ...r, bytes: sink.bytes, sha256: sink.hash.digest('hex'), maxRssMb: maxRssMb() }, () => process.exit(0));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
