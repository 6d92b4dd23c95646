import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate as nextTick, setTimeout as sleep } from 'node:timers/promises';
import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';
import { stringify } from 'csv-stringify';
import type { Response } from 'express';
import { FILTER_FAMILIES, keysetSql, numberWhere, type NumberFilter, type SqlCondition, type Sort } from '../accounts';
import { AuditEvent } from '../audit/entities/audit-event.entity';
import { actorOf, AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { originOf, type CurrentMember, type HubRequest } from '../common/http';
import { RequestsInFlight } from '../common/requests-in-flight';
import { LOGGER, type Logger } from '../common/logger';
import { Sql } from '../database/sql';
import { CSV_FORMAT, CSV_HEADERS, csvRecord, isoUtc, type ExportRow } from './csv-columns';
import { EXPORTS_PER_HOUR, ExportLimitReached } from './exports.errors';

export const EXPORT_AUDIT_ACTION = 'accounts.exported';
const HOUR_MS = 3_600_000;

/** Rows read per query. Each batch is written out before the next is read. */
export const DEFAULT_BATCH_SIZE = 1000;
/**
 * While the process serves other requests, a download waits between batches this many times
 * as long as its last batch took (at least GIVE_WAY_MIN_MS): it takes at most a third of the time.
 */
export const GIVE_WAY_FACTOR = 2;
export const GIVE_WAY_MIN_MS = 10;

export interface WriteCsvOptions {
  /** UTF-8 byte order mark first, so spreadsheet programs read accents (default true). */
  bom?: boolean;
  /** Aborting stops reading at the next batch or while waiting for the writable to drain. */
  signal?: AbortSignal;
  /** "Now" for the attention filter; the injected clock by default. */
  now?: Date;
  batchSize?: number;
  /** Awaited between batches with the last batch's time, read and written (the download gives way to pages there). */
  betweenBatches?: (batchMs: number) => Promise<unknown>;
  /** Runs once every row is written, before the file ends (the download records its audit event here). */
  beforeEnd?: (rows: number) => Promise<void>;
}

export interface WriteCsvResult {
  /** Data rows handed to the writer (the header row not counted). */
  rows: number;
  /** False when the signal aborted or the writable closed before the end. */
  completed: boolean;
}

/** One row per number, read with one joined query (database column names, aliased to ExportRow). */
const COLUMNS = [
  ['c.name', 'companyName'],
  ['n.phone_number', 'phoneNumber'],
  ['c.contact_email', 'contactEmail'],
  ['w.message_on_behalf_status', 'onBehalf'],
  ['w.business_verification_status', 'verification'],
  ['n.registration_status', 'registration'],
  ['c.provider_id', 'clientId'],
  ['n.provider_id', 'numberId'],
  ['w.external_id', 'wabaExternalId'],
  ['n.external_id', 'channelExternalId'],
  ['w.namespace', 'namespace'],
  ['n.status', 'lifecycle'],
  ['c.consent_status', 'consent'],
  ['n.billing_state', 'billing'],
  ['r.termination_date', 'terminationDate'],
  ['n.provider_created_at', 'createdAt'],
  // keyset cursor
  ['n.id', 'cursorId'],
  ['n.client_name', 'cursorClientName'],
] as const;

/** Quoted aliases: PostgreSQL would fold them to lower case. */
const SELECT = COLUMNS.map(([column, alias]) => `${column} as "${alias}"`).join(', ');

type Row = ExportRow & { cursorId: string; cursorClientName: string };

/**
 * The CSV download of a partner's numbers: what the list shows, streamed in keyset batches
 * so memory stays flat and other requests are served while it runs.
 */
@Injectable()
export class ExportsService {
  /** Downloads running in this process, per person: they count against the limit until recorded. */
  private readonly running = new Map<string, number>();

  constructor(
    private readonly em: EntityManager,
    private readonly sql: Sql,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly inFlight: RequestsInFlight,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Writes the CSV of one partner's numbers matching `filter` into `out` and ends it. Rows
   * are read `batchSize` at a time in the filter's sort order and written as they are read;
   * the next batch is read only once `out` has taken the previous one (backpressure), after
   * yielding to the event loop (SQLite queries block it). Resolves with the rows written;
   * rejects, destroying `out`, if the database fails.
   */
  async writeCsv(partnerId: string, filter: NumberFilter, out: Writable, options: WriteCsvOptions = {}): Promise<WriteCsvResult> {
    const { bom = true, batchSize = DEFAULT_BATCH_SIZE } = options;
    const now = options.now ?? this.clock.now();
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) stop.abort();

    const csv = stringify({ header: true, columns: [...CSV_HEADERS], bom, ...CSV_FORMAT });
    // If `out` closes early (client gone) the pipeline fails: stop reading.
    let failure: unknown;
    const piped = pipeline(csv, out).catch((err: unknown) => {
      failure = err;
      stop.abort();
    });

    const where = numberWhere(partnerId, filter, now);
    let rows = 0;
    let after: Row | undefined;
    try {
      while (!stop.signal.aborted) {
        const batchStarted = performance.now();
        const batch = await this.readBatch(where, filter.sort, after, batchSize);
        for (const row of batch) {
          if (!csv.write(csvRecord(row))) await once(csv, 'drain', { signal: stop.signal });
          rows++;
        }
        if (batch.length < batchSize) break;
        after = batch[batch.length - 1];
        await nextTick();
        await options.betweenBatches?.(performance.now() - batchStarted);
      }
    } catch (err) {
      if (!stop.signal.aborted) {
        csv.destroy(err as Error);
        await piped;
        throw err;
      }
      // Aborted while waiting for drain: fall through and report an incomplete export.
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
    if (stop.signal.aborted) {
      csv.destroy();
      await piped;
      return { rows, completed: false };
    }
    await options.beforeEnd?.(rows);
    csv.end();
    await piped;
    return { rows, completed: failure === undefined };
  }

  /** The next `limit` rows after `after`, in the list's order for the sort (the same keyset as its pages). */
  private async readBatch(where: SqlCondition, sort: Sort, after: Row | undefined, limit: number): Promise<Row[]> {
    const cursor = after && {
      sort,
      key: sort === 'newest' ? isoUtc(after.createdAt) : sort === 'client' ? after.cursorClientName : after.phoneNumber,
      id: after.cursorId,
    };
    const batch = keysetSql(where, cursor, limit, sort);
    return this.sql.all<Row>(
      `select ${SELECT} from whatsapp_number n
        left join client c on c.id = n.client_id
        left join waba_account w on w.id = n.waba_account_id
        left join revocation r on r.number_id = n.id and r.withdrawn_at is null
        ${batch.sql}`,
      batch.params,
    );
  }

  /**
   * Refuses the 11th export of one person within an hour. Counts the audit events (every
   * instance sees them) and the person's other downloads still running in this process (an
   * export is recorded when it ends), so downloads started together on one instance cannot
   * all pass; one that is ending counts twice for a moment. Instances do not see each
   * other's running downloads.
   */
  async assertWithinLimit(userId: string, othersRunning = 0): Promise<void> {
    const now = this.clock.now();
    const recent = await this.em
      .fork()
      .find(
        AuditEvent,
        { actorId: userId, action: EXPORT_AUDIT_ACTION, createdAt: { $gt: new Date(now.getTime() - HOUR_MS) } },
        { orderBy: { createdAt: 'desc' }, limit: EXPORTS_PER_HOUR, fields: ['createdAt'] },
      );
    if (recent.length + othersRunning < EXPORTS_PER_HOUR) return;
    // Free when the oldest recorded export that keeps the count at the limit is an hour old;
    // running ones will be recorded when they end, an hour before they stop counting.
    const oldest = recent[EXPORTS_PER_HOUR - othersRunning - 1];
    const freeAt = oldest ? oldest.createdAt.getTime() + HOUR_MS : now.getTime() + HOUR_MS;
    throw new ExportLimitReached(Math.max(1, Math.ceil((freeAt - now.getTime()) / 1000)));
  }

  /** whatsapp-accounts-<partner-slug>-<YYYY-MM-DD>.csv, dated by the clock (UTC). */
  filename(partnerSlug: string): string {
    const slug = partnerSlug.replace(/[^a-z0-9-]/gi, '-') || 'partner';
    return `whatsapp-accounts-${slug}-${this.clock.now().toISOString().slice(0, 10)}.csv`;
  }

  /**
   * The HTTP download: rate limit, headers, the streamed file and the audit event with the
   * filters and the number of rows (also when the client went away halfway, so disconnecting
   * does not dodge the limit).
   */
  async download(member: CurrentMember, filter: NumberFilter, bom: boolean, req: HubRequest, res: Response): Promise<void> {
    // Counted as running before the check, so that a download started meanwhile sees this one.
    const others = this.running.get(member.userId) ?? 0;
    this.running.set(member.userId, others + 1);
    try {
      // Past the limit: ExportLimitReached, a 429 whose Retry-After the error filter sets.
      await this.assertWithinLimit(member.userId, others);
      await this.stream(member, filter, bom, req, res);
    } finally {
      const left = (this.running.get(member.userId) ?? 1) - 1;
      if (left > 0) this.running.set(member.userId, left);
      else this.running.delete(member.userId);
    }
  }

  private async stream(member: CurrentMember, filter: NumberFilter, bom: boolean, req: HubRequest, res: Response): Promise<void> {
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${this.filename(member.partnerSlug)}"`);
    res.setHeader('Cache-Control', 'no-store');
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    res.flushHeaders();
    // A download is not a page: the pages it gives way to are the other requests.
    this.inFlight.leave(res);

    const gone = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) gone.abort();
    };
    res.on('close', onClose);
    const started = Date.now();
    // Recorded before the file ends, so the next download already counts it; or, when the
    // client went away or the database failed, with the rows written so far.
    let recorded = false;
    const record = (r: WriteCsvResult) => {
      recorded = true;
      return this.recordExport(member, filter, r, req);
    };
    let result: WriteCsvResult = { rows: 0, completed: false };
    try {
      result = await this.writeCsv(member.partnerId, filter, res, {
        bom,
        signal: gone.signal,
        betweenBatches: (batchMs) => this.giveWay(batchMs),
        beforeEnd: (rows) => record({ rows, completed: true }),
      });
    } finally {
      res.off('close', onClose);
      if (!recorded) await record(result);
    }
    this.logger.info(
      {
        event: 'accounts.exported',
        requestId: req.id,
        partnerId: member.partnerId,
        rows: result.rows,
        completed: result.completed,
        ms: Date.now() - started,
      },
      'accounts exported',
    );
  }

  /**
   * Pages first: between two batches, while this process serves other requests, a download
   * waits twice as long as its last batch took (under load it takes longer; the pages keep
   * their pace). Says whether it waited.
   */
  async giveWay(batchMs: number): Promise<boolean> {
    if (this.inFlight.count === 0) return false;
    await sleep(Math.max(GIVE_WAY_MIN_MS, GIVE_WAY_FACTOR * batchMs));
    return true;
  }

  private async recordExport(member: CurrentMember, filter: NumberFilter, result: WriteCsvResult, req: HubRequest): Promise<void> {
    try {
      const em = this.em.fork();
      this.audit.record(em, {
        action: EXPORT_AUDIT_ACTION,
        partnerId: member.partnerId,
        actor: actorOf(member),
        data: { filters: describeFilter(filter), rows: result.rows, completed: result.completed },
        origin: req ? originOf(req) : null,
      });
      await em.flush();
    } catch (err) {
      this.logger.error({ requestId: req.id, err }, 'could not record the export in the audit log');
    }
  }
}

/** The filter as the audit log shows it: only what was set. */
function describeFilter(filter: NumberFilter): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (filter.q) out.q = filter.q;
  for (const family of FILTER_FAMILIES) if (filter.status[family]) out[family] = filter.status[family];
  if (filter.attention) out.attention = true;
  out.sort = filter.sort;
  return out;
}
