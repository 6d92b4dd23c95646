import { sqlNullableDate, type Sql } from '../database/sql';

/** What is still told of a number that left the hub: who it was, and when its billing state became removed. */
export interface RemovedNumberRow {
  id: string;
  phoneNumber: string;
  displayName: string | null;
  clientId: string;
  clientName: string;
  /** The last change of its billing state to removed in its history; null when none was recorded. */
  removedAt: Date | null;
}

/** A number of this partner that was removed from the hub, or null (unknown, another partner's or still in the hub). */
export async function readRemovedNumber(sql: Sql, partnerId: string, id: string): Promise<RemovedNumberRow | null> {
  const [row] = await sql.all<Record<string, unknown>>(
    `select n.id, n.phone_number, n.display_name, n.client_id, n.client_name,
            (select max(h.changed_at) from number_status_change h
              where h.number_id = n.id and h.family = 'billing' and h.to_value = 'removed') as removed_at
       from whatsapp_number n
      where n.id = ? and n.partner_id = ? and n.billing_state = 'removed'`,
    [id, partnerId],
  );
  if (!row) return null;
  return {
    id: row.id as string,
    phoneNumber: row.phone_number as string,
    displayName: (row.display_name ?? null) as string | null,
    clientId: row.client_id as string,
    clientName: row.client_name as string,
    removedAt: sqlNullableDate(row.removed_at),
  };
}

/**
 * Ids of this partner's removed numbers (of one client, when given) whose phone ends in
 * `digits` (when given) or whose id is `id` (lower case), newest first: the candidates of a
 * search that found nothing in the hub.
 */
export async function removedNumberCandidates(
  sql: Sql,
  partnerId: string,
  search: { digits?: string; id: string; clientId?: string },
  limit: number,
): Promise<{ id: string; phoneNumber: string; ids: string[] }[]> {
  const byPhone = search.digits ? 'n.phone_number like ? or ' : '';
  const byClient = search.clientId ? 'and n.client_id = ? ' : '';
  const rows = await sql.all<Record<string, unknown>>(
    `select n.id, n.phone_number, n.provider_id, n.external_id from whatsapp_number n
      where n.partner_id = ? and n.billing_state = 'removed' ${byClient}
        and (${byPhone}lower(n.provider_id) = ? or lower(n.external_id) = ?)
      order by n.provider_created_at desc, n.id desc
      limit ${Number(limit)}`,
    [partnerId, ...(search.clientId ? [search.clientId] : []), ...(search.digits ? [`%${search.digits}`] : []), search.id, search.id],
  );
  return rows.map((r) => ({
    id: r.id as string,
    phoneNumber: r.phone_number as string,
    ids: [r.provider_id, r.external_id].filter((x): x is string => typeof x === 'string').map((x) => x.toLowerCase()),
  }));
}
