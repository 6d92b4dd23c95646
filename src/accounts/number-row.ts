import type {
  BillingState,
  ConsentStatus,
  LifecycleStatus,
  MessagingTier,
  OnBehalfStatus,
  QualityRating,
  RegistrationStatus,
  VerificationStatus,
  WabaStatus,
} from '../statuses/catalogue';
import type { RegistrationMethod } from './entities/whatsapp-number.entity';

/**
 * A number with its client, WABA account and open revocation, read as plain values for the
 * pages. The list and details read rows, not entities: hydrating 25 entity graphs costs
 * ten times the query itself.
 */
export interface NumberRow {
  id: string;
  providerId: string;
  externalId: string;
  phoneNumber: string;
  displayName: string | null;
  status: LifecycleStatus;
  statusChangedAt: Date;
  accountMode: string | null;
  registrationStatus: RegistrationStatus;
  registrationMethod: RegistrationMethod | null;
  ivr: boolean;
  qualityRating: QualityRating;
  messagingTier: MessagingTier;
  billingState: BillingState;
  providerCreatedAt: Date;
  clientName: string;
  client: { id: string; providerId: string; name: string; contactEmail: string | null; consentStatus: ConsentStatus };
  waba: {
    id: string;
    providerId: string;
    externalId: string;
    namespace: string | null;
    timezoneId: number | null;
    status: WabaStatus;
    businessVerificationStatus: VerificationStatus;
    messageOnBehalfStatus: OnBehalfStatus;
  };
  revocation: { id: string; terminationDate: string; billingTimeZone: string; removeAt: Date; reason: string | null } | null;
}

/** Columns of `n` (whatsapp_number), `c` (client), `w` (waba_account) and `r` (revocation). */
const COLUMNS: [alias: string, column: string][] = [
  ['n_id', 'n.id'],
  ['n_provider_id', 'n.provider_id'],
  ['n_external_id', 'n.external_id'],
  ['n_phone_number', 'n.phone_number'],
  ['n_display_name', 'n.display_name'],
  ['n_status', 'n.status'],
  ['n_status_changed_at', 'n.status_changed_at'],
  ['n_account_mode', 'n.account_mode'],
  ['n_registration_status', 'n.registration_status'],
  ['n_registration_method', 'n.registration_method'],
  ['n_ivr', 'n.ivr'],
  ['n_quality_rating', 'n.quality_rating'],
  ['n_messaging_tier', 'n.messaging_tier'],
  ['n_billing_state', 'n.billing_state'],
  ['n_provider_created_at', 'n.provider_created_at'],
  ['n_client_name', 'n.client_name'],
  ['c_id', 'c.id'],
  ['c_provider_id', 'c.provider_id'],
  ['c_name', 'c.name'],
  ['c_contact_email', 'c.contact_email'],
  ['c_consent_status', 'c.consent_status'],
  ['w_id', 'w.id'],
  ['w_provider_id', 'w.provider_id'],
  ['w_external_id', 'w.external_id'],
  ['w_namespace', 'w.namespace'],
  ['w_timezone_id', 'w.timezone_id'],
  ['w_status', 'w.status'],
  ['w_business_verification_status', 'w.business_verification_status'],
  ['w_message_on_behalf_status', 'w.message_on_behalf_status'],
  ['r_id', 'r.id'],
  ['r_termination_date', 'r.termination_date'],
  ['r_billing_time_zone', 'r.billing_time_zone'],
  ['r_remove_at', 'r.remove_at'],
  ['r_reason', 'r.reason'],
];

/** The columns and joins of a number row, as plain SQL: the list pages and the details page add their `where`. */
export const NUMBER_ROW_SQL = `select ${COLUMNS.map(([alias, column]) => `${column} as ${alias}`).join(', ')}
    from whatsapp_number n
    join client c on c.id = n.client_id
    join waba_account w on w.id = n.waba_account_id
    left join revocation r on r.id = n.revocation_id`;

/** SQLite returns dates as epoch milliseconds, PostgreSQL as Date objects. */
function toDate(v: unknown): Date {
  if (v instanceof Date) return v;
  if (typeof v === 'number') return new Date(v);
  return new Date(typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : String(v));
}

export function toNumberRow(r: Record<string, unknown>): NumberRow {
  const s = (k: string) => r[k] as string;
  const n = (k: string) => (r[k] ?? null) as string | null;
  return {
    id: s('n_id'),
    providerId: s('n_provider_id'),
    externalId: s('n_external_id'),
    phoneNumber: s('n_phone_number'),
    displayName: n('n_display_name'),
    status: s('n_status') as LifecycleStatus,
    statusChangedAt: toDate(r.n_status_changed_at),
    accountMode: n('n_account_mode'),
    registrationStatus: s('n_registration_status') as RegistrationStatus,
    registrationMethod: n('n_registration_method') as RegistrationMethod | null,
    ivr: r.n_ivr === true || r.n_ivr === 1 || r.n_ivr === '1' || r.n_ivr === 't',
    qualityRating: s('n_quality_rating') as QualityRating,
    messagingTier: s('n_messaging_tier') as MessagingTier,
    billingState: s('n_billing_state') as BillingState,
    providerCreatedAt: toDate(r.n_provider_created_at),
    clientName: s('n_client_name'),
    client: {
      id: s('c_id'),
      providerId: s('c_provider_id'),
      name: s('c_name'),
      contactEmail: n('c_contact_email'),
      consentStatus: s('c_consent_status') as ConsentStatus,
    },
    waba: {
      id: s('w_id'),
      providerId: s('w_provider_id'),
      externalId: s('w_external_id'),
      namespace: n('w_namespace'),
      timezoneId: r.w_timezone_id === null || r.w_timezone_id === undefined ? null : Number(r.w_timezone_id),
      status: s('w_status') as WabaStatus,
      businessVerificationStatus: s('w_business_verification_status') as VerificationStatus,
      messageOnBehalfStatus: s('w_message_on_behalf_status') as OnBehalfStatus,
    },
    revocation: r.r_id
      ? {
          id: s('r_id'),
          terminationDate: s('r_termination_date'),
          billingTimeZone: s('r_billing_time_zone'),
          removeAt: toDate(r.r_remove_at),
          reason: n('r_reason'),
        }
      : null,
  };
}
