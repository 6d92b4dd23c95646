import type { Writable } from 'node:stream';
import { setImmediate as nextTick, setTimeout as sleep } from 'node:timers/promises';
import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { attentionWhere, FILTER_FAMILIES, numberWhere, type NumberFilter, type Sort, type SqlCondition } from '../accounts';
import { actorOf, AuditService, type AuditActor } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { originOf, type CurrentMember, type HubRequest } from '../common/http';
import { RequestsInFlight } from '../common/requests-in-flight';
import { LOGGER, type Logger } from '../common/logger';
import { Sql } from '../database/sql';
import { EXPORT_AUDIT_ACTION, ExportBudget } from './export-budget.service';
import { countExportRows, readExportBatch, type ExportBatchRow } from './export.query';
import { csvWriter, xlsxWriter, type FileWriter } from './file-writers';

export { EXPORT_AUDIT_ACTION };

/**
 * Rows read per query, each batch written out before the next is read. With 1,000 a batch outlived
 * young collections, and 100,000 rows took the process 18 MB above its booted size (8 MB with 250).
 */
export const DEFAULT_BATCH_SIZE = 250;
/**
 * The workbook's batches are smaller: each row becomes an XML string that waits for the zip's
 * compression, and with 1,000 rows between two yields so many outlived young collections that
 * the process peaked at 287 MB for 100,000 rows (159 MB with 200, 154 MB for 10,000).
 */
export const XLSX_BATCH_SIZE = 200;
/**
 * While the process serves other requests, a download waits between batches this many times
 * as long as its last batch took (at least GIVE_WAY_MIN_MS): it takes at most a third of the time.
 */
export const GIVE_WAY_FACTOR = 2;
export const GIVE_WAY_MIN_MS = 10;

/** The two files of the list: the CSV (for programs, re-importable) and the Excel workbook (for people). */
export type ExportFormat = 'csv' | 'xlsx';

export interface WriteOptions {
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

export interface WriteCsvOptions extends WriteOptions {
  /** UTF-8 byte order mark first, so spreadsheet programs read accents (default true). */
  bom?: boolean;
}

export interface WriteXlsxOptions extends WriteOptions {
  /** The IANA zone whose wall clock the date cells show (named in their headers). */
  timeZone?: string;
}

export interface WriteResult {
  /** Data rows handed to the writer (the header row not counted). */
  rows: number;
  /** False when the signal aborted or the writable closed before the end. */
  completed: boolean;
}

/**
 * Who downloads: a signed-in person, or a partner's API key. The actor's id holds the hour's
 * rows (ExportBudget) and is who Activity names.
 */
export interface Downloader {
  partnerId: string;
  partnerSlug: string;
  /** The zone of the workbook's dates and of the budget's answer. */
  timeZone: string;
  actor: AuditActor;
}

/**
 * The downloads of a partner's numbers, CSV and Excel: what the list shows, streamed in keyset
 * batches so memory stays flat and other requests are served while it runs.
 */
@Injectable()
export class ExportsService {
  constructor(
    private readonly sql: Sql,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly budget: ExportBudget,
    private readonly inFlight: RequestsInFlight,
    private readonly em: EntityManager,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Writes the CSV of one partner's numbers matching `filter` into `out` and ends it (see
   * writeRows). Resolves with the rows written; rejects, destroying `out`, if the database fails.
   */
  async writeCsv(partnerId: string, filter: NumberFilter, out: Writable, options: WriteCsvOptions = {}): Promise<WriteResult> {
    return this.writeRows(partnerId, filter, options, (stop) => csvWriter(out, options.bom ?? true, stop));
  }

  /**
   * Writes the Excel workbook of one partner's numbers matching `filter` into `out` and ends
   * it, as a stream (XlsxSheetWriter: each row is zipped as it is read, never a
   * whole workbook in memory). Dates show the wall clock of `timeZone` (UTC by default).
   */
  async writeXlsx(partnerId: string, filter: NumberFilter, out: Writable, options: WriteXlsxOptions = {}): Promise<WriteResult> {
    return this.writeRows(partnerId, filter, { batchSize: XLSX_BATCH_SIZE, ...options }, (stop) =>
      xlsxWriter(out, options.timeZone ?? 'UTC', stop),
    );
  }

  /**
   * The loop both files share. Rows are read `batchSize` at a time in the filter's sort order
   * and written as they are read; the next batch is read only once the output has taken the
   * previous one (backpressure), after yielding to the event loop (SQLite queries block it).
   */
  private async writeRows(
    partnerId: string,
    filter: NumberFilter,
    options: WriteOptions,
    open: (stop: AbortController) => FileWriter,
  ): Promise<WriteResult> {
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    const now = options.now ?? this.clock.now();
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) stop.abort();
    // If the output closes early (client gone), the writer aborts `stop`: reading stops.
    const file = open(stop);

    const where = numberWhere(partnerId, filter, now);
    const attention = attentionWhere(now);
    let rows = 0;
    let after: ExportBatchRow | undefined;
    try {
      while (!stop.signal.aborted) {
        const batchStarted = performance.now();
        const batch = await this.readBatch(where, attention, filter.sort, after, batchSize);
        for (const row of batch) {
          const drained = file.write(row);
          if (drained) await drained;
          rows++;
        }
        if (batch.length < batchSize) break;
        after = batch[batch.length - 1];
        await nextTick();
        await options.betweenBatches?.(performance.now() - batchStarted);
      }
    } catch (err) {
      if (!stop.signal.aborted) {
        await file.destroy(err as Error);
        throw err;
      }
      // Aborted while waiting for drain: fall through and report an incomplete file.
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
    if (stop.signal.aborted) {
      await file.destroy();
      return { rows, completed: false };
    }
    await options.beforeEnd?.(rows);
    await file.end(rows);
    return { rows, completed: !file.failed() };
  }

  /** The next batch of rows after `after` (the tests watch the loop's reads here). */
  private readBatch(where: SqlCondition, attention: SqlCondition, sort: Sort, after: ExportBatchRow | undefined, limit: number) {
    return readExportBatch(this.sql, where, attention, sort, after, limit);
  }

  /** How many rows a download of `filter` holds, counted up to `cap` (what the budget needs to know). */
  countRows(partnerId: string, filter: NumberFilter, cap: number): Promise<number> {
    return countExportRows(this.sql, numberWhere(partnerId, filter, this.clock.now()), cap);
  }

  /** whatsapp-accounts-<partner-slug>-<YYYY-MM-DD>.csv (or .xlsx), dated by the clock (UTC). */
  filename(partnerSlug: string, format: ExportFormat = 'csv'): string {
    const slug = partnerSlug.replace(/[^a-z0-9-]/gi, '-') || 'partner';
    return `whatsapp-accounts-${slug}-${this.clock.now().toISOString().slice(0, 10)}.${format}`;
  }

  /**
   * The HTTP download: the row budget (a 429 when the file does not fit), headers, the
   * streamed file and the audit event with the filters and the number of rows (also when the
   * client went away halfway: what was written is spent).
   */
  download(
    member: CurrentMember,
    filter: NumberFilter,
    file: { format: ExportFormat; bom?: boolean },
    req: HubRequest,
    res: Response,
  ): Promise<void> {
    const who = { partnerId: member.partnerId, partnerSlug: member.partnerSlug, timeZone: member.timeZone, actor: actorOf(member) };
    return this.downloadAs(who, filter, file, req, res);
  }

  /** The same download for anyone who may: a person on the page, an API key on the Partner API. */
  async downloadAs(
    who: Downloader,
    filter: NumberFilter,
    file: { format: ExportFormat; bom?: boolean },
    req: HubRequest,
    res: Response,
  ): Promise<void> {
    // Counted up to one row past the hour's budget: enough to tell whether it fits.
    const expected = req.method === 'HEAD' ? 0 : await this.countRows(who.partnerId, filter, this.budget.rowsPerHour + 1);
    const release = await this.budget.reserve({ userId: who.actor.id, timeZone: who.timeZone }, expected);
    try {
      await this.stream(who, filter, file, req, res, release);
    } finally {
      release();
    }
  }

  private async stream(
    who: Downloader,
    filter: NumberFilter,
    file: { format: ExportFormat; bom?: boolean },
    req: HubRequest,
    res: Response,
    release: () => void,
  ): Promise<void> {
    res.status(200);
    res.setHeader('Content-Type', CONTENT_TYPES[file.format]);
    res.setHeader('Content-Disposition', `attachment; filename="${this.filename(who.partnerSlug, file.format)}"`);
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
    // Recorded before the file ends, so the next download already counts it (and this one's
    // reservation ends with it); or, when the client went away or the database failed, with
    // the rows written so far.
    let recorded = false;
    const record = async (r: WriteResult) => {
      recorded = true;
      // Not in the audit log (the database failed): this process still counts it for the hour.
      if (!(await this.recordExport(who, filter, file.format, r, req))) this.budget.countUnrecorded(who.actor.id, r.rows);
      release();
    };
    const options: WriteXlsxOptions & WriteCsvOptions = {
      bom: file.bom,
      timeZone: who.timeZone || 'UTC',
      signal: gone.signal,
      betweenBatches: (batchMs) => this.giveWay(batchMs),
      beforeEnd: (rows) => record({ rows, completed: true }),
    };
    let result: WriteResult = { rows: 0, completed: false };
    try {
      result =
        file.format === 'xlsx'
          ? await this.writeXlsx(who.partnerId, filter, res, options)
          : await this.writeCsv(who.partnerId, filter, res, options);
    } finally {
      res.off('close', onClose);
      if (!recorded) await record(result);
    }
    this.logger.info(
      {
        event: 'accounts.exported',
        requestId: req.id,
        partnerId: who.partnerId,
        format: file.format,
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

  private async recordExport(
    who: Downloader,
    filter: NumberFilter,
    format: ExportFormat,
    result: WriteResult,
    req: HubRequest,
  ): Promise<boolean> {
    try {
      const em = this.em.fork();
      this.audit.record(em, {
        action: EXPORT_AUDIT_ACTION,
        partnerId: who.partnerId,
        actor: who.actor,
        data: { filters: describeFilter(filter), ...(format === 'xlsx' && { format }), rows: result.rows, completed: result.completed },
        origin: req ? originOf(req) : null,
      });
      await em.flush();
      return true;
    } catch (err) {
      this.logger.error({ requestId: req.id, err }, 'could not record the export in the audit log');
      return false;
    }
  }
}

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The filter as the audit log shows it: only what was set. */
function describeFilter(filter: NumberFilter): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (filter.q) out.q = filter.q;
  if (filter.clientId) out.client = filter.clientId;
  if (filter.providerIds?.length) out.provider_ids = filter.providerIds.join(', ');
  for (const family of FILTER_FAMILIES) if (filter.status[family]?.length) out[family] = filter.status[family]!.join(', ');
  if (filter.attention) out.attention = true;
  out.sort = `${filter.sort.field} ${filter.sort.dir}`;
  return out;
}
