import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { dialectOf } from '../../database/orm.config';
import { NumberSummaries } from '../number-summaries.service';
import { ImportBatch } from './import-batch';
import { lockPartnerImports } from './import-lock.query';
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

/**
 * Imports a partner's account data (the JSON form of the Partner API, or the CSV export's
 * form), keyed by the provider's ids, from a file (accounts:import) or from a list of channels
 * already in memory (the operator API): one code path, so the same validation, messages and
 * writes. Every record is validated first, in a pass that keeps no records; only then are they
 * written, streamed again in batches (each its own transaction, with the identity map cleared
 * between them), so memory stays bounded whatever the file size and the database is never held
 * for long. A re-import of the same data writes nothing; each changed status is appended to the
 * number's history.
 */
@Injectable()
export class AccountsImportService {
  private readonly postgres: boolean;

  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly summaries: NumberSummaries,
    private readonly sql: Sql,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.postgres = dialectOf(config) === 'postgresql';
  }

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

    // Pass 2: write the valid records, each batch in a transaction of its own.
    const batchSize = options.batchSize ?? DEFAULT_BATCH;
    const now = this.clock.now();
    let batch: ImportRecord[] = [];
    let lastBatchMs: number | undefined;
    const write = async () => {
      // Between two batches, other writers get the database (on SQLite, the file's write lock).
      if (lastBatchMs !== undefined) await this.sql.betweenWriteBatches(lastBatchMs);
      const started = performance.now();
      await this.writeBatch(partnerId, batch, now, result);
      lastBatchMs = performance.now() - started;
      batch = [];
    };
    for await (const item of this.validated(source)) {
      if (!item.ok) continue;
      batch.push(item.record);
      if (batch.length >= batchSize) await write();
    }
    if (batch.length) await write();
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

  /**
   * Writes one batch in a transaction of its own: on SQLite a transaction holds the write lock
   * of the whole file, and an import of 100,000 numbers in one held every other writer (a
   * sign-in's session, the outbox) for 40 s. Every record was validated before the first
   * batch; should a batch fail, the ones before it stay written, and the same import run again
   * completes it (an import is idempotent).
   */
  private async writeBatch(partnerId: string, records: ImportRecord[], now: Date, result: ImportResult): Promise<void> {
    const counts = await this.em.fork().transactional(async (tx) => {
      await lockPartnerImports(this.sql, tx, partnerId, this.postgres);
      const batch = await ImportBatch.load(tx, partnerId, records, now);
      const outcomes = { created: 0, updated: 0, unchanged: 0 };
      for (const record of records) outcomes[batch.apply(record)]++;
      const statusChanges = await batch.finish();
      if (outcomes.created + outcomes.updated > 0) await this.summaries.markChanged(tx, [partnerId]);
      return { ...outcomes, statusChanges };
    });
    result.created += counts.created;
    result.updated += counts.updated;
    result.unchanged += counts.unchanged;
    result.statusChanges += counts.statusChanges;
  }
}
