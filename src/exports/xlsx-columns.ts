/**
 * The Excel download's columns, in order: the CSV's numbers for a person rather than an
 * importer. Phone numbers and ids are text cells (a spreadsheet keeps the "+" and every
 * digit), each status is shown by its label and its code, dates are date cells on the
 * reader's wall clock. Every cell is a string, a number or a date: nothing is ever written as
 * a formula, whatever a name starts with.
 */
import { metaTimezoneName } from '../accounts';
import { countryName } from '../accounts';
import type { ZoneShift } from '../common/time-zones';
import { sqlBoolean, sqlNullableDate } from '../database/sql';
import { FAMILIES, type FamilyKey } from '../statuses';
import type { ExportRow } from './csv-columns';
import type { XlsxKind, XlsxValue } from './xlsx-stream';

export interface XlsxColumn {
  header: string;
  kind: XlsxKind;
  /** In characters: the header or a typical value, whichever is longer (rows are never measured). */
  width: number;
  value(row: ExportRow, zone: ZoneShift): XlsxValue;
}

const text = (v: string | null | undefined): string => v ?? '';
const yesNo = (v: unknown) => (sqlBoolean(v) ? 'Yes' : 'No');

/** Labels per family and code, looked up once per cell: a Map, not a scan of the catalogue. */
const LABELS = new Map<FamilyKey, Map<string, string>>(
  (Object.keys(FAMILIES) as FamilyKey[]).map((f) => [f, new Map(FAMILIES[f].statuses.map((s) => [s.value as string, s.label]))]),
);
const longest = (values: readonly string[]) => values.reduce((n, v) => Math.max(n, v.length), 0);

/** Two columns for a status family: "Number status" with the label, "Number status code" with the code. */
function statusColumns(family: FamilyKey, code: (row: ExportRow) => string, header: string = FAMILIES[family].label): XlsxColumn[] {
  const statuses = FAMILIES[family].statuses;
  return [
    {
      header,
      kind: 'text',
      width: Math.max(header.length, longest(statuses.map((s) => s.label))),
      value: (r) => {
        const c = code(r);
        return LABELS.get(family)!.get(c) ?? c;
      },
    },
    { header: `${header} code`, kind: 'text', width: Math.max(header.length + 5, longest(statuses.map((s) => s.value))), value: code },
  ];
}

/** A stored instant as the reader's wall clock (a Date whose UTC fields read it); null when there is none. */
function wallClock(value: unknown, zone: ZoneShift): Date | null {
  const at = sqlNullableDate(value);
  return at && !Number.isNaN(at.getTime()) ? zone.wallClock(at) : null;
}

/** A stored calendar date ("2026-12-31") as a date cell of that day. */
function calendarDate(value: string | null): Date | null {
  const m = value ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
}

/** Meta's timezone id as its IANA zone; "unknown (144)" for an id the table does not name, never a guess. */
function timezoneName(id: number | string | null): string {
  if (id === null) return '';
  return metaTimezoneName(Number(id)) ?? `unknown (${id})`;
}

const REGISTRATION_METHODS: Record<string, string> = { sms: 'SMS', voice: 'Voice call' };

/** The columns for a reader in `zone`: the zone is named in the headers of the date-time columns. */
export function xlsxColumns(zone: string): XlsxColumn[] {
  const inZone = (header: string) => `${header} (${zone})`;
  return [
    { header: 'Company legal name', kind: 'text', width: 32, value: (r) => r.companyName },
    { header: 'WhatsApp number', kind: 'text', width: 17, value: (r) => r.phoneNumber },
    { header: 'Display name', kind: 'text', width: 24, value: (r) => text(r.displayName) },
    { header: 'Country', kind: 'text', width: 16, value: (r) => text(countryName(r.countryCode)) },
    { header: 'Contact email', kind: 'text', width: 30, value: (r) => text(r.contactEmail) },
    ...statusColumns('onBehalf', (r) => r.onBehalf),
    ...statusColumns('verification', (r) => r.verification),
    ...statusColumns('registration', (r) => r.registration),
    { header: 'Client ID', kind: 'text', width: 24, value: (r) => r.clientId },
    { header: 'Number ID', kind: 'text', width: 24, value: (r) => r.numberId },
    { header: 'WABA Account External ID', kind: 'text', width: 25, value: (r) => r.wabaExternalId },
    { header: 'WABA Channel External ID', kind: 'text', width: 25, value: (r) => r.channelExternalId },
    { header: 'Namespace', kind: 'text', width: 24, value: (r) => text(r.namespace) },
    ...statusColumns('lifecycle', (r) => r.lifecycle),
    ...statusColumns('consent', (r) => r.consent),
    ...statusColumns('billing', (r) => r.billing, 'Billing state'),
    { header: 'Termination date', kind: 'date', width: 16, value: (r) => calendarDate(r.terminationDate) },
    {
      header: inZone('Created at'),
      kind: 'dateTime',
      width: Math.max(19, inZone('Created at').length),
      value: (r, z) => wallClock(r.createdAt, z),
    },
    ...statusColumns('waba', (r) => r.wabaStatus, 'WABA account status'),
    { header: 'Timezone', kind: 'text', width: 30, value: (r) => timezoneName(r.timezoneId) },
    { header: 'Timezone ID', kind: 'number', width: 11, value: (r) => (r.timezoneId === null ? null : Number(r.timezoneId)) },
    { header: 'IVR', kind: 'text', width: 5, value: (r) => yesNo(r.ivr) },
    {
      header: 'Number registration preference',
      kind: 'text',
      width: 30,
      value: (r) => (r.registrationMethod ? (REGISTRATION_METHODS[r.registrationMethod] ?? r.registrationMethod) : ''),
    },
    ...statusColumns('quality', (r) => r.qualityRating),
    ...statusColumns('tier', (r) => r.messagingTier),
    { header: 'Needs attention', kind: 'text', width: 15, value: (r) => yesNo(r.needsAttention) },
    {
      header: inZone('Removal date'),
      kind: 'dateTime',
      width: Math.max(19, inZone('Removal date').length),
      value: (r, z) => wallClock(r.removeAt, z),
    },
  ];
}
