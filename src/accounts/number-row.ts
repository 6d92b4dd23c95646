import { sqlBoolean, sqlDate } from '../database/sql';
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
} from '../statuses';
import type { RegistrationMethod } from './entities/whatsapp-number.entity';

/**
 * A number with its client and WABA account, read as plain values for the
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
}

/**
 * What a card on the list shows, and what its cursor and grouping read: the list's pages
 * read only these columns, half of a full row (reading and building the rest cost a third of
 * the page query). A NumberRow is a CardRow.
 */
export type CardRow = Pick<
  NumberRow,
  | 'id'
  | 'phoneNumber'
  | 'displayName'
  | 'status'
  | 'statusChangedAt'
  | 'registrationStatus'
  | 'qualityRating'
  | 'messagingTier'
  | 'billingState'
  | 'providerCreatedAt'
  | 'clientName'
> & {
  client: Pick<NumberRow['client'], 'id' | 'consentStatus'>;
  waba: Pick<NumberRow['waba'], 'status' | 'businessVerificationStatus' | 'messageOnBehalfStatus'>;
};

/** Columns of `n` (whatsapp_number), `c` (client) and `w` (waba_account), and whether a card reads them. */
const COLUMNS: [alias: string, column: string, card: boolean][] = [
  ['n_id', 'n.id', true],
  ['n_provider_id', 'n.provider_id', false],
  ['n_external_id', 'n.external_id', false],
  ['n_phone_number', 'n.phone_number', true],
  ['n_display_name', 'n.display_name', true],
  ['n_status', 'n.status', true],
  ['n_status_changed_at', 'n.status_changed_at', true],
  ['n_account_mode', 'n.account_mode', false],
  ['n_registration_status', 'n.registration_status', true],
  ['n_registration_method', 'n.registration_method', false],
  ['n_ivr', 'n.ivr', false],
  ['n_quality_rating', 'n.quality_rating', true],
  ['n_messaging_tier', 'n.messaging_tier', true],
  ['n_billing_state', 'n.billing_state', true],
  ['n_provider_created_at', 'n.provider_created_at', true],
  ['n_client_name', 'n.client_name', true],
  ['c_id', 'c.id', true],
  ['c_provider_id', 'c.provider_id', false],
  ['c_name', 'c.name', false],
  ['c_contact_email', 'c.contact_email', false],
  ['c_consent_status', 'c.consent_status', true],
  ['w_id', 'w.id', false],
  ['w_provider_id', 'w.provider_id', false],
  ['w_external_id', 'w.external_id', false],
  ['w_namespace', 'w.namespace', false],
  ['w_timezone_id', 'w.timezone_id', false],
  ['w_status', 'w.status', true],
  ['w_business_verification_status', 'w.business_verification_status', true],
  ['w_message_on_behalf_status', 'w.message_on_behalf_status', true],
];

const selectSql = (columns: typeof COLUMNS, extra = '', from = 'whatsapp_number n') =>
  `select ${columns.map(([alias, column]) => `${column} as ${alias}`).join(', ')}${extra}
    from ${from}
    join client c on c.id = n.client_id
    join waba_account w on w.id = n.waba_account_id`;

/** The columns and joins of a number row, as plain SQL, with `extra` columns: the reads of one number add their `where`. */
export const numberRowSql = (extra = '') => selectSql(COLUMNS, extra);

const COLUMNS_OF = { card: COLUMNS.filter(([, , card]) => card), full: COLUMNS };

const pageColumnsOf = (columns: typeof COLUMNS) =>
  [...columns.map(([, column]) => column), 'n.client_id', 'n.waba_account_id']
    .filter((column) => column.startsWith('n.'))
    .map((column) => `${column} as ${column.slice(2)}`)
    .join(', ');

/**
 * What a page's subquery reads of each number `n` (whatsapp_number): the row's own columns (a
 * card's, or all of them) and the keys of its client and account, named as the table names them.
 */
export const PAGE_COLUMNS_SQL = { card: pageColumnsOf(COLUMNS_OF.card), full: pageColumnsOf(COLUMNS) };

/**
 * A card's columns (or all of a number row's) and the page's sort key for the numbers of a page,
 * to which the lists add their order. `page.sql` is a subquery with its own order and limit that
 * reads the numbers' `PAGE_COLUMNS_SQL` (`rows`), or only their ids, joined back to the table here.
 */
export const rowsOfSql = (columns: 'card' | 'full', sortKey: string, page: { sql: string; rows: boolean }) =>
  selectSql(
    COLUMNS_OF[columns],
    `, ${sortKey} as sort_key`,
    page.rows
      ? `(${page.sql}) n`
      : `(${page.sql}) x
    join whatsapp_number n on n.id = x.id`,
  );

export function toCardRow(r: Record<string, unknown>): CardRow {
  const s = (k: string) => r[k] as string;
  return {
    id: s('n_id'),
    phoneNumber: s('n_phone_number'),
    displayName: (r.n_display_name ?? null) as string | null,
    status: s('n_status') as LifecycleStatus,
    statusChangedAt: sqlDate(r.n_status_changed_at),
    registrationStatus: s('n_registration_status') as RegistrationStatus,
    qualityRating: s('n_quality_rating') as QualityRating,
    messagingTier: s('n_messaging_tier') as MessagingTier,
    billingState: s('n_billing_state') as BillingState,
    providerCreatedAt: sqlDate(r.n_provider_created_at),
    clientName: s('n_client_name'),
    client: { id: s('c_id'), consentStatus: s('c_consent_status') as ConsentStatus },
    waba: {
      status: s('w_status') as WabaStatus,
      businessVerificationStatus: s('w_business_verification_status') as VerificationStatus,
      messageOnBehalfStatus: s('w_message_on_behalf_status') as OnBehalfStatus,
    },
  };
}

export function toNumberRow(r: Record<string, unknown>): NumberRow {
  const card = toCardRow(r);
  const s = (k: string) => r[k] as string;
  const n = (k: string) => (r[k] ?? null) as string | null;
  // Added to the card, not spread into a new object with more keys: V8 copies that 20 times
  // slower (23 µs a row where this takes 1; a quarter of an API page's time).
  return Object.assign(card, {
    providerId: s('n_provider_id'),
    externalId: s('n_external_id'),
    accountMode: n('n_account_mode'),
    registrationMethod: n('n_registration_method') as RegistrationMethod | null,
    ivr: sqlBoolean(r.n_ivr),
    client: Object.assign(card.client, { providerId: s('c_provider_id'), name: s('c_name'), contactEmail: n('c_contact_email') }),
    waba: Object.assign(card.waba, {
      id: s('w_id'),
      providerId: s('w_provider_id'),
      externalId: s('w_external_id'),
      namespace: n('w_namespace'),
      timezoneId: r.w_timezone_id === null || r.w_timezone_id === undefined ? null : Number(r.w_timezone_id),
    }),
  });
}
