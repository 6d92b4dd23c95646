import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { ZoneShift } from '../common/time-zones';
import { CSV_FORMAT, CSV_HEADERS, csvRecord, type ExportRow } from './csv-columns';
import { xlsxColumns } from './xlsx-columns';
import { XlsxSheetWriter } from './xlsx-stream';

/**
 * How one format turns rows into a file on a writable: the part of a download that differs
 * between the CSV and the workbook. The batches, the backpressure and the ending are shared.
 */
export interface FileWriter {
  /** Writes a row; returns a promise to await when the output must drain before more. */
  write(row: ExportRow): Promise<unknown> | undefined;
  /** Ends the file after the last row; resolves once it is all handed to the output. */
  end(rows: number): Promise<void>;
  /** Abandons the file (an error, or the reader gone); resolves once the output is closed. */
  destroy(err?: Error): Promise<void>;
  /** Set when the output failed or closed early. */
  failed(): boolean;
}

/** The CSV: csv-stringify piped into `out`, with its own backpressure. */
export function csvWriter(out: Writable, bom: boolean, stop: AbortController): FileWriter {
  const csv = stringify({ header: true, columns: [...CSV_HEADERS], bom, ...CSV_FORMAT });
  // If `out` closes early (client gone) the pipeline fails: stop reading.
  let failure: unknown;
  const piped = pipeline(csv, out).catch((err: unknown) => {
    failure = err;
    stop.abort();
  });
  return {
    write: (row) => (csv.write(csvRecord(row)) ? undefined : once(csv, 'drain', { signal: stop.signal })),
    end: async () => {
      csv.end();
      await piped;
    },
    destroy: async (err) => {
      csv.destroy(err);
      await piped;
    },
    failed: () => failure !== undefined,
  };
}

/**
 * The workbook: one sheet, header row frozen and filtered, written by XlsxSheetWriter straight
 * into `out` through its zip, with the same backpressure as the CSV.
 */
export function xlsxWriter(out: Writable, timeZone: string, stop: AbortController): FileWriter {
  const columns = xlsxColumns(timeZone);
  const workbook = new XlsxSheetWriter(
    'WhatsApp numbers',
    columns.map(({ header, kind, width }) => ({ header, kind, width: width + 2 })),
  );
  const zone = new ZoneShift(timeZone);
  let failure: unknown;
  const piped = pipeline(workbook.output, out).catch((err: unknown) => {
    failure = err;
    stop.abort();
  });
  return {
    write: (row) => (workbook.addRow(columns.map((c) => c.value(row, zone))) ? undefined : workbook.drained(stop.signal)),
    end: async () => {
      workbook.end();
      await piped;
    },
    destroy: async (err) => {
      workbook.abort();
      out.destroy(err);
      await piped;
    },
    failed: () => failure !== undefined,
  };
}
