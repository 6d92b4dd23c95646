import { isValidPhoneNumber, parsePhoneNumberFromString } from 'libphonenumber-js';
import { FAMILIES, familyStatuses, type FamilyKey } from '../../statuses';
import type { RegistrationMethod } from '../entities/whatsapp-number.entity';
import { isCalendarDate } from '../../common/dates';
import { canonicalEmail, emailProblem } from '../../common/email';
import { UNSAFE_TEXT } from '../../common/unsafe-text';
import { compactPhone, E164 } from '../phone';

/**
 * One number of an import file, read from either form and validated: the client, its WABA
 * account and the number. A field left undefined was not in the file and is left as it is
 * (the CSV form has fewer fields than the JSON form).
 */
export interface ImportRecord {
  client: { providerId: string; name: string; contactEmail?: string | null; consentStatus?: string };
  waba: {
    /** Missing in the CSV form: the WABA is then found by its external id. */
    providerId?: string;
    externalId: string;
    namespace?: string | null;
    timezoneId?: number | null;
    status?: string;
    businessVerificationStatus?: string;
    messageOnBehalfStatus?: string;
  };
  number: {
    providerId: string;
    externalId: string;
    phoneNumber: string;
    displayName?: string | null;
    status?: string;
    accountMode?: string | null;
    registrationStatus?: string;
    registrationMethod?: RegistrationMethod | null;
    ivr?: boolean;
    qualityRating?: string;
    messagingTier?: string;
    providerCreatedAt: Date;
  };
}

export type ReadResult = { ok: true; record: ImportRecord } | { ok: false; reason: string };

/** The export's columns (src/exports/csv-columns.ts) without which a CSV row cannot be imported. */
export const REQUIRED_CSV_HEADERS = [
  'Company legal name',
  'WhatsApp number',
  'Client ID',
  'Number ID',
  'WABA Account External ID',
  'WABA Channel External ID',
  'Created at',
];

/** Collects every problem of one record, so the operator sees them all at once. */
class Checker {
  readonly problems: string[] = [];

  text(field: string, value: unknown, max: number, required: true): string;
  text(field: string, value: unknown, max: number, required?: false): string | null | undefined;
  text(field: string, value: unknown, max: number, required = false): string | null | undefined {
    if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
      if (required) this.problems.push(`${field} is missing`);
      return value === null || value === '' ? null : undefined;
    }
    if (typeof value !== 'string' && typeof value !== 'number') {
      this.problems.push(`${field} must be text`);
      return undefined;
    }
    const s = String(value).trim();
    if (s.length > max) this.problems.push(`${field} is longer than ${max} characters`);
    else if (UNSAFE_TEXT.test(s)) this.problems.push(`${field} contains control, text-direction or invisible characters`);
    return s;
  }

  status(family: FamilyKey, field: string, value: unknown, acceptLabels = false): string | undefined {
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') {
      this.problems.push(`${field} must be text`);
      return undefined;
    }
    const wanted = value.trim().toLowerCase();
    const statuses = familyStatuses(family);
    const found =
      statuses.find((s) => s.value === wanted) ?? (acceptLabels ? statuses.find((s) => s.label.toLowerCase() === wanted) : undefined);
    if (!found) {
      this.problems.push(
        `${field} "${value.slice(0, 40)}" is not a known ${FAMILIES[family].label.toLowerCase()} (${statuses.map((s) => s.value).join(', ')})`,
      );
      return undefined;
    }
    return found.value;
  }

  phone(field: string, value: unknown): string {
    const raw = this.text(field, value, 40, true);
    if (!raw) return '';
    const compact = compactPhone(raw);
    if (!E164.test(compact) || !isValidPhoneNumber(compact)) {
      this.problems.push(`${field} "${raw.slice(0, 40)}" is not a valid phone number in E.164 form (+ country code and number)`);
      return '';
    }
    return parsePhoneNumberFromString(compact)!.number;
  }

  /** An address as the forms take it (common/email.ts): the revocation notices are sent to it. */
  email(field: string, value: unknown): string | null | undefined {
    const s = this.text(field, value, 254);
    if (!s) return s;
    const problem = emailProblem(s);
    if (problem) {
      const why = problem === 'Enter a valid email address.' ? '' : ` (${problem.replace(/\.$/, '').toLowerCase()})`;
      this.problems.push(`${field} "${s.slice(0, 60)}" is not a valid email address${why}`);
    }
    return canonicalEmail(s);
  }

  date(field: string, value: unknown): Date {
    const s = this.text(field, value, 40, true);
    if (!s) return new Date(NaN);
    // ISO 8601 with a time zone, or "2026-03-02 09:15:00 UTC" as people write it.
    const iso = s.replace(/^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?:UTC|Z)$/i, '$1T$2Z');
    const d =
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(iso) && isCalendarDate(iso)
        ? new Date(iso)
        : new Date(NaN);
    if (Number.isNaN(d.getTime())) this.problems.push(`${field} "${s.slice(0, 40)}" is not a date and time with a time zone (ISO 8601)`);
    return d;
  }

  timezone(field: string, value: unknown): number | null | undefined {
    if (value === undefined) return undefined;
    if (value === null || value === '') return null;
    const s = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
    if (!/^\d{1,3}$/.test(s) || Number(s) > 479) {
      this.problems.push(`${field} must be a whole number from 0 to 479`);
      return undefined;
    }
    return Number(s);
  }

  bool(field: string, value: unknown): boolean | undefined {
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'boolean') return value;
    // Only text and numbers are read as text: an object's own toString is the sender's, not ours.
    const s = typeof value === 'string' || typeof value === 'number' ? String(value).trim().toLowerCase() : '';
    if (['true', 'yes', '1'].includes(s)) return true;
    if (['false', 'no', '0'].includes(s)) return false;
    this.problems.push(`${field} must be true or false`);
    return undefined;
  }

  method(field: string, value: unknown): RegistrationMethod | null | undefined {
    if (value === undefined) return undefined;
    if (value === null || value === '') return null;
    const s = typeof value === 'string' ? value.trim().toLowerCase() : '';
    if (s === 'sms' || s === 'voice') return s;
    this.problems.push(`${field} must be "sms" or "voice"`);
    return undefined;
  }

  result(record: ImportRecord): ReadResult {
    return this.problems.length ? { ok: false, reason: this.problems.join('; ') } : { ok: true, record };
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Record<string, unknown> => (isObject(v) ? v : {});

/** One element of `partner_channels` (the provider's Partner API list response). */
export function readJsonChannel(value: unknown): ReadResult {
  if (!isObject(value)) return { ok: false, reason: 'not an object' };
  const c = new Checker();
  if (!isObject(value.client)) c.problems.push('client is missing');
  if (!isObject(value.waba_account)) c.problems.push('waba_account is missing');
  if (!isObject(value.setup_info)) c.problems.push('setup_info is missing');
  const client = obj(value.client);
  const waba = obj(value.waba_account);
  const setup = obj(value.setup_info);
  const record: ImportRecord = {
    client: {
      providerId: c.text('client.id', client.id, 64, true),
      name: c.text('client.name', client.name, 200, true),
      contactEmail: c.email('client.contact_info.email', obj(client.contact_info).email),
      consentStatus: c.status('consent', 'client.consent_status', client.consent_status),
    },
    waba: {
      providerId: c.text('waba_account.id', waba.id, 64, true),
      externalId: c.text('waba_account.external_id', waba.external_id, 64, true),
      namespace: c.text('waba_account.namespace', waba.namespace, 128),
      timezoneId: c.timezone('waba_account.timezone_id', waba.timezone_id),
      status: c.status('waba', 'waba_account.status', waba.status),
      businessVerificationStatus: c.status('verification', 'waba_account.fb_account_status', waba.fb_account_status),
      messageOnBehalfStatus: c.status(
        'onBehalf',
        'waba_account.on_behalf_of_business_info.status',
        obj(waba.on_behalf_of_business_info).status,
      ),
    },
    number: {
      providerId: c.text('id', value.id, 64, true),
      externalId: c.text('external_id', value.external_id, 64, true),
      phoneNumber: c.phone('setup_info.phone_number', setup.phone_number),
      displayName: c.text('setup_info.phone_name', setup.phone_name, 200),
      status: c.status('lifecycle', 'status', value.status),
      accountMode: c.text('account_mode', value.account_mode, 16),
      registrationStatus: c.status('registration', 'number_registration', value.number_registration),
      registrationMethod: c.method('setup_info.verification_method', setup.verification_method),
      ivr: c.bool('setup_info.ivr', setup.ivr),
      qualityRating: c.status('quality', 'current_quality_rating', value.current_quality_rating),
      messagingTier: c.status('tier', 'current_limit', value.current_limit),
      providerCreatedAt: c.date('created_at', value.created_at),
    },
  };
  return c.result(record);
}

/**
 * Undoes the export's formula neutralization: a cell the export prefixed with a single quote
 * because it starts with = + - @, a tab or line break, a full-width form of those, or a quote
 * itself, is read without that one quote.
 */
export function unneutralize(cell: string): string {
  return cell.startsWith("'") && /^[=+\-@\t\r\n\u0000\uFF1D\uFF0B\uFF0D\uFF20']/.test(cell.slice(1)) ? cell.slice(1) : cell;
}

/** One row of the CSV form (the export's columns). */
export function readCsvRow(row: Record<string, string | undefined>): ReadResult {
  const cell = (h: string) => {
    const v = row[h];
    return v === undefined ? undefined : unneutralize(v);
  };
  const c = new Checker();
  const wabaExternalId = c.text('WABA Account External ID', cell('WABA Account External ID'), 64, true);
  const record: ImportRecord = {
    client: {
      providerId: c.text('Client ID', cell('Client ID'), 64, true),
      name: c.text('Company legal name', cell('Company legal name'), 200, true),
      // An empty cell leaves the stored value as it is.
      contactEmail: c.email('Contact email', cell('Contact email')) || undefined,
      consentStatus: c.status('consent', 'Consent status', cell('Consent status'), true),
    },
    waba: {
      externalId: wabaExternalId,
      namespace: c.text('Namespace', cell('Namespace'), 128) || undefined,
      businessVerificationStatus: c.status('verification', 'Facebook business verification', cell('Facebook business verification'), true),
      messageOnBehalfStatus: c.status('onBehalf', 'Message on behalf', cell('Message on behalf'), true),
    },
    number: {
      providerId: c.text('Number ID', cell('Number ID'), 64, true),
      externalId: c.text('WABA Channel External ID', cell('WABA Channel External ID'), 64, true),
      phoneNumber: c.phone('WhatsApp number', cell('WhatsApp number')),
      status: c.status('lifecycle', 'Lifecycle status', cell('Lifecycle status'), true),
      registrationStatus: c.status('registration', 'Number registration', cell('Number registration'), true),
      providerCreatedAt: c.date('Created at', cell('Created at')),
    },
  };
  // Billing state and termination date are the hub's own facts: the import never sets them.
  return c.result(record);
}
