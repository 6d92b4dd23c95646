import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type ExcelJS from 'exceljs';
import { CSV_FORMAT, CSV_HEADERS, csvRecord, type ExportRow } from './csv-columns';
import { XLSX_STYLES, xlsxColumns, ZoneShift, type XlsxColumn } from './xlsx-columns';

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
 * The workbook: one sheet, header row frozen and filtered, written by exceljs's streaming
 * writer straight into `out`. Cells are inline strings, numbers and dates only (no shared
 * strings table, which would keep every distinct value in memory).
 */
export function xlsxWriter(out: Writable, timeZone: string, stop: AbortController): FileWriter {
  let failure: unknown;
  const fail = (err: unknown) => {
    failure ??= err ?? new Error('the output closed early');
    stop.abort();
  };
  const onClose = () => {
    if (!out.writableFinished) fail(undefined);
  };
  out.once('error', fail);
  out.once('close', onClose);
  const workbook = new (exceljs().stream.xlsx.WorkbookWriter)({ stream: out, useStyles: true, useSharedStrings: false });
  const columns = xlsxColumns(timeZone);
  const sheet = startSheet(workbook, columns);
  const zone = new ZoneShift(timeZone);
  const detach = () => {
    out.off('error', fail);
    out.off('close', onClose);
  };
  return {
    write: (row) => {
      addRow(sheet, columns, row, zone);
      return sheetBackpressure(sheet, out, stop.signal);
    },
    end: async (rows) => {
      sheet.autoFilter = `A1:${columnLetter(columns.length)}${rows + 1}`;
      sheet.commit();
      await workbook.commit();
      detach();
    },
    destroy: async (err) => {
      detach();
      (workbook as unknown as { zip: { abort(): void } }).zip.abort();
      const closed = out.closed ? undefined : once(out, 'close');
      out.destroy(err);
      await closed;
    },
    failed: () => failure !== undefined,
  };
}

type Sheet = ExcelJS.Worksheet & { commit(): void };

let loaded: typeof ExcelJS | undefined;
/** exceljs, loaded by the first workbook rather than at start: it adds 28 MB to every process, and most never write one. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const exceljs = (): typeof ExcelJS => (loaded ??= require('exceljs') as typeof ExcelJS);

const HEADER_STYLE = { ...XLSX_STYLES.text, font: { bold: true } };

/** The sheet with its columns, widths and the header row (bold, frozen), committed. */
function startSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, columns: readonly XlsxColumn[]): Sheet {
  const sheet = workbook.addWorksheet('WhatsApp numbers', { views: [{ state: 'frozen', ySplit: 1 }] }) as Sheet;
  sheet.columns = columns.map((c) => ({ width: c.width + 2 }));
  const header = sheet.addRow(columns.map((c) => c.header));
  header.eachCell((cell) => (cell.style = HEADER_STYLE));
  header.commit();
  return sheet;
}

/**
 * One number's cells. Each cell gets one of a few shared style objects: exceljs finds a
 * style it has seen by identity, where a fresh object per cell would be serialized per cell.
 */
function addRow(sheet: Sheet, columns: readonly XlsxColumn[], row: ExportRow, zone: ZoneShift): void {
  const r = sheet.addRow(columns.map((c) => c.value(row, zone)));
  for (let i = 0; i < columns.length; i++) r.getCell(i + 1).style = XLSX_STYLES[columns[i].kind];
  r.commit();
}

/**
 * What to await after a row: exceljs's sheet stream writes into the zip without heeding
 * backpressure, into a PassThrough (readable-stream 2, without `writableNeedDrain`) that
 * archiver reads from (exceljs 4.4.0, pinned). When that one or `out` is full, wait for it to
 * drain: the zip has then caught up with what was written, and memory holds a buffer's worth
 * of rows at most. The tests check that a stuck output stops the reading.
 */
function sheetBackpressure(sheet: Sheet, out: Writable, signal: AbortSignal): Promise<unknown> | undefined {
  const into = (sheet as unknown as { stream: { pipes?: ZipInput[] } }).stream.pipes?.[0];
  if (into && (into.writableNeedDrain ?? into._writableState?.needDrain)) return once(into, 'drain', { signal });
  if (out.writableNeedDrain) return once(out, 'drain', { signal });
  return undefined;
}

type ZipInput = NodeJS.EventEmitter & { writableNeedDrain?: boolean; _writableState?: { needDrain?: boolean } };

/** "A", "Z", "AA"…: the column's letters in a cell reference. */
function columnLetter(n: number): string {
  let s = '';
  for (let k = n; k > 0; k = Math.floor((k - 1) / 26)) s = String.fromCharCode(65 + ((k - 1) % 26)) + s;
  return s;
}
