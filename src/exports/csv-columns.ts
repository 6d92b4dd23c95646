/**
 * The CSV download's columns, in order, and how their cells are written: the one place that
 * says what the file holds. The importer (`accounts:import`) reads the same headers back, so
 * a downloaded file re-imports without changing anything (but for the quote that neutralize
 * puts before a formula start inside a value, after a ";"). Statuses are written as their
 * codes, the country as its ISO 3166 code and instants in UTC: a file for programs as much as
 * for people (the Excel download is the one for people).
 */

import { sqlBoolean } from '../database/sql';
import { E164 } from '../accounts';

/** One number as the export query reads it (raw database values, one row per number). */
export interface ExportRow {
  companyName: string;
  phoneNumber: string;
  contactEmail: string | null;
  onBehalf: string;
  verification: string;
  registration: string;
  clientId: string;
  numberId: string;
  wabaExternalId: string;
  channelExternalId: string;
  namespace: string | null;
  lifecycle: string;
  consent: string;
  billing: string;
  terminationDate: string | null;
  /** A Date on PostgreSQL, epoch milliseconds on SQLite. */
  createdAt: Date | number | string;
  displayName: string | null;
  /** The phone number's country ("DE"), as the import stored it. */
  countryCode: string | null;
  wabaStatus: string;
  /** Meta's timezone id. */
  timezoneId: number | string | null;
  /** 0/1 on SQLite, a boolean on PostgreSQL (read with sqlBoolean). */
  ivr: unknown;
  registrationMethod: string | null;
  qualityRating: string;
  messagingTier: string;
  /** 0/1: the list's "needs attention" rule, evaluated by the query. */
  needsAttention: unknown;
  /** When the number's open revocation removes it from the hub (like createdAt, per driver). */
  removeAt: Date | number | string | null;
}

export interface CsvColumn {
  header: string;
  value(row: ExportRow): string;
  /**
   * Says whether a value of this column is written exactly as stored: only for values that
   * cannot hold a formula (see WhatsApp number). Others are neutralized.
   */
  verbatim?: (value: string) => boolean;
}

const text = (v: string | null | undefined) => v ?? '';
/** A yes/no fact as the Partner API spells it. */
const flag = (v: unknown) => String(sqlBoolean(v));

/** ISO 8601 in UTC with milliseconds, e.g. 2026-03-02T09:15:00.000Z: exact, so it re-imports unchanged. */
export function isoUtc(value: Date | number | string): string {
  const d = value instanceof Date ? value : new Date(typeof value === 'number' || !/^\d+$/.test(value) ? value : Number(value));
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

export const CSV_COLUMNS: readonly CsvColumn[] = [
  { header: 'Company legal name', value: (r) => r.companyName },
  {
    header: 'WhatsApp number',
    // Phone numbers start with "+", which a spreadsheet reads as a formula. They are
    // validated E.164 at import ("+" and digits only), so they cannot carry a formula (at
    // worst a spreadsheet shows the number without its "+"), and a quote in front would
    // break matching with other systems and the re-import. A value that is somehow not
    // E.164 is written like any other text.
    value: (r) => r.phoneNumber,
    verbatim: (v) => E164.test(v),
  },
  { header: 'Contact email', value: (r) => text(r.contactEmail) },
  { header: 'Message on behalf', value: (r) => r.onBehalf },
  { header: 'Facebook business verification', value: (r) => r.verification },
  { header: 'Number registration', value: (r) => r.registration },
  { header: 'Client ID', value: (r) => r.clientId },
  { header: 'Number ID', value: (r) => r.numberId },
  { header: 'WABA Account External ID', value: (r) => r.wabaExternalId },
  { header: 'WABA Channel External ID', value: (r) => r.channelExternalId },
  { header: 'Namespace', value: (r) => text(r.namespace) },
  { header: 'Lifecycle status', value: (r) => r.lifecycle },
  { header: 'Consent status', value: (r) => r.consent },
  { header: 'Billing state', value: (r) => r.billing },
  { header: 'Termination date', value: (r) => text(r.terminationDate) },
  { header: 'Created at', value: (r) => isoUtc(r.createdAt) },
  // Added after the columns above, so that files and scripts reading those keep working.
  { header: 'Display name', value: (r) => text(r.displayName) },
  { header: 'Country', value: (r) => text(r.countryCode) },
  { header: 'WABA account status', value: (r) => r.wabaStatus },
  { header: 'Timezone ID', value: (r) => (r.timezoneId === null ? '' : String(r.timezoneId)) },
  { header: 'IVR', value: (r) => flag(r.ivr) },
  { header: 'Number registration preference', value: (r) => text(r.registrationMethod) },
  { header: 'Quality rating', value: (r) => r.qualityRating },
  { header: 'Messaging limit', value: (r) => r.messagingTier },
  { header: 'Needs attention', value: (r) => flag(r.needsAttention) },
  { header: 'Removal date', value: (r) => (r.removeAt === null ? '' : isoUtc(r.removeAt)) },
];

export const CSV_HEADERS: readonly string[] = CSV_COLUMNS.map((c) => c.header);

/**
 * Characters that make a spreadsheet run a cell as a formula when they come first (OWASP CSV
 * injection: = + - @, NUL, and the full-width forms some programs normalize), and the single
 * quote itself, so that a value that really starts with one survives the importer stripping
 * one. As a regex character class; tab, CR and LF are added where they count.
 */
const FORMULA_CHARS = "=+\\-@\\u0000\\uFF1D\\uFF0B\\uFF0D\\uFF20'";
/** What may come before a formula start and be skipped by a program: spaces and direction marks (LRM, RLM, ALM). */
const SKIPPED = ' \\u200E\\u200F\\u061C';
/** A cell that starts a formula: one of the above, or tab, CR or LF (which some programs skip). */
const FORMULA_START = new RegExp(`^[${SKIPPED}]*[${FORMULA_CHARS}\\t\\r\\n]`);
/**
 * Where a spreadsheet of another locale starts a cell inside one of ours: after a ";" (the
 * list separator in German, French…), a tab, or a line break. Such a program honours our
 * quotes only where they open its cell, never in the middle of a line, so a formula must not
 * start there either; nor a quote, which would open a quoted cell of its own. (A tab or line
 * break right after one is a separator checked in turn, so it is not in the class.)
 */
const FORMULA_AFTER_SEPARATOR = new RegExp(`[;\\t\\r\\n][${SKIPPED}]*(?=[${FORMULA_CHARS}"])`, 'g');
/** Either of the above: the one test that nearly every cell (names, ids, dates) passes as it is. */
const NEEDS_CARE = new RegExp(`^[${SKIPPED}]*[${FORMULA_CHARS}\\t\\r\\n]|[;\\t\\r\\n]`);

/**
 * OWASP's neutralization, for a spreadsheet of any locale: a formula start first, or after
 * ";", a tab or a line break, gets a single quote in front, so it is shown as text. The
 * importer strips the one at the start, not one after a ";", which a re-imported value keeps.
 * Values that need nothing (nearly all) are returned as they are: one regex test, no copy.
 */
export function neutralize(value: string): string {
  if (!NEEDS_CARE.test(value)) return value;
  const cell = FORMULA_START.test(value) ? `'${value}` : value;
  return cell.replace(FORMULA_AFTER_SEPARATOR, "$&'");
}

/**
 * How csv-stringify writes the file: CRLF records (RFC 4180), and quotes around every cell
 * that holds the separator of any locale (",", ";", tab), a quote or a line break: by
 * default it quotes only the first two and the record delimiter itself, so a lone LF would
 * start a new row. Quotes inside are doubled.
 */
export const CSV_FORMAT = { record_delimiter: '\r\n', quoted_match: /[;\t\r\n]/ } as const;

/** The cells of one row, in column order, neutralized where needed. */
export function csvRecord(row: ExportRow): string[] {
  const out = new Array<string>(CSV_COLUMNS.length);
  for (let i = 0; i < CSV_COLUMNS.length; i++) {
    const col = CSV_COLUMNS[i];
    const v = col.value(row);
    out[i] = col.verbatim?.(v) ? v : neutralize(v);
  }
  return out;
}
