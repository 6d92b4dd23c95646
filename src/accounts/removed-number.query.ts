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
