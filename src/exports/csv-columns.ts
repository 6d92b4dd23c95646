/**
 * The CSV download's columns, in order: the one place that says what the file holds. The
 * importer (`accounts:import`) reads the same headers back, so a downloaded file re-imports
 * without changing anything.
 */

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
}

export interface CsvColumn {
  header: string;
  value(row: ExportRow): string;
  /**
   * The column cannot hold a formula, so it is written exactly as stored (see WhatsApp number).
   * Every other column is neutralized.
   */
  formulaSafe?: true;
}

const text = (v: string | null | undefined) => v ?? '';

/** E.164 as the import validates it: "+" then up to 15 digits, no leading zero. */
export const E164 = /^\+[1-9]\d{1,14}$/;

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
    // validated E.164 at import ("+" and digits only), so they cannot carry a formula, and
    // a quote in front would break matching with other systems and the re-import. A value
    // that is somehow not E.164 is neutralized like any other text.
    value: (r) => (E164.test(r.phoneNumber) ? r.phoneNumber : neutralizeFormula(r.phoneNumber)),
    formulaSafe: true,
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
];

export const CSV_HEADERS: readonly string[] = CSV_COLUMNS.map((c) => c.header);

/**
 * First characters that make a spreadsheet run a cell as a formula (OWASP CSV injection:
 * = + - @ tab CR, plus LF and NUL, plus the full-width forms some programs normalize), and
 * the quote itself, so that a value that really starts with a quote survives the importer
 * stripping one.
 */
const FORMULA_START = new Set(
  ['=', '+', '-', '@', '\t', '\r', '\n', '\u0000', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20', "'"].map((c) => c.charCodeAt(0)),
);

/**
 * OWASP's neutralization: a cell that a spreadsheet would run as a formula gets a single
 * quote in front, so it is shown as text. The importer strips exactly one leading quote.
 */
export function neutralizeFormula(cell: string): string {
  // charCodeAt of "" is NaN, never in the set.
  return FORMULA_START.has(cell.charCodeAt(0)) ? `'${cell}` : cell;
}

/** The cells of one row, in column order, neutralized where needed. */
export function csvRecord(row: ExportRow): string[] {
  const out = new Array<string>(CSV_COLUMNS.length);
  for (let i = 0; i < CSV_COLUMNS.length; i++) {
    const col = CSV_COLUMNS[i];
    const v = col.value(row);
    out[i] = col.formulaSafe ? v : neutralizeFormula(v);
  }
  return out;
}
