import { keysetSql, sortKeyOf, sortKeySql, type Sort, type SqlCondition } from '../accounts';
import { sqlNumber, type Sql } from '../database/sql';
import type { ExportRow } from './csv-columns';

/** One row per number, read with one joined query (database column names, aliased to ExportRow). */
const COLUMNS = [
  ['c.name', 'companyName'],
  ['n.phone_number', 'phoneNumber'],
  ['c.contact_email', 'contactEmail'],
  ['w.message_on_behalf_status', 'onBehalf'],
  ['w.business_verification_status', 'verification'],
  ['n.registration_status', 'registration'],
  ['c.provider_id', 'clientId'],
  ['n.provider_id', 'numberId'],
  ['w.external_id', 'wabaExternalId'],
  ['n.external_id', 'channelExternalId'],
  ['w.namespace', 'namespace'],
  ['n.status', 'lifecycle'],
  ['c.consent_status', 'consent'],
  ['n.billing_state', 'billing'],
  ['r.termination_date', 'terminationDate'],
  ['n.provider_created_at', 'createdAt'],
  ['n.display_name', 'displayName'],
  ['n.country_code', 'countryCode'],
  ['w.status', 'wabaStatus'],
  ['w.timezone_id', 'timezoneId'],
  ['n.ivr', 'ivr'],
  ['n.registration_method', 'registrationMethod'],
  ['n.quality_rating', 'qualityRating'],
  ['n.messaging_tier', 'messagingTier'],
  ['r.remove_at', 'removeAt'],
  // keyset cursor (with the sort's key, added per sort)
  ['n.id', 'cursorId'],
] as const;

/** Quoted aliases: PostgreSQL would fold them to lower case. */
const SELECT = COLUMNS.map(([column, alias]) => `${column} as "${alias}"`).join(', ');

const FROM = `from whatsapp_number n
        left join client c on c.id = n.client_id
        left join waba_account w on w.id = n.waba_account_id`;

/** A row of a download, with its place in the sort's keyset. */
export type ExportBatchRow = ExportRow & { cursorId: string; cursorKey: unknown };

/** The next `limit` rows after `after`, in the list's order for the sort (the same keyset as its pages). */
export function readExportBatch(
  sql: Sql,
  where: SqlCondition,
  attention: SqlCondition,
  sort: Sort,
  after: ExportBatchRow | undefined,
  limit: number,
): Promise<ExportBatchRow[]> {
  const cursor = after && { sort, key: sortKeyOf(sort.field, after.cursorKey), id: after.cursorId };
  const batch = keysetSql(where, cursor, limit, sort);
  return sql.all<ExportBatchRow>(
    `select ${SELECT}, case when ${attention.sql} then 1 else 0 end as "needsAttention",
      ${sortKeySql(sort.field)} as "cursorKey" ${FROM}
      left join revocation r on r.number_id = n.id and r.withdrawn_at is null
      ${batch.sql}`,
    [...attention.params, ...batch.params],
  );
}

/** How many numbers match `where`, counted up to `cap`. */
export async function countExportRows(sql: Sql, where: SqlCondition, cap: number): Promise<number> {
  const [row] = await sql.all<{ n: unknown }>(`select count(*) as "n" from (select 1 as one ${FROM} where ${where.sql} limit ?) matching`, [
    ...where.params,
    cap,
  ]);
  return sqlNumber(row?.n ?? 0);
}
