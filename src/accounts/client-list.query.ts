import type { Sql } from '../database/sql';
import type { ConsentStatus } from '../statuses';
import type { ClientRow } from './client.query';

/** Where a page of clients starts: after this name and id (keyset, no OFFSET). */
export interface ClientCursor {
  name: string;
  id: string;
}

/** Up to `limit` clients of a partner by name then id, after the cursor when there is one. */
export async function readClientPage(sql: Sql, partnerId: string, after: ClientCursor | undefined, limit: number): Promise<ClientRow[]> {
  const rows = await sql.all<Record<string, unknown>>(
    `select id, provider_id, name, contact_email, consent_status from client
      where partner_id = ?${after ? ' and (name, id) > (?, ?)' : ''}
      order by name, id limit ?`,
    [partnerId, ...(after ? [after.name, after.id] : []), limit],
  );
  return rows.map((row) => ({
    id: row.id as string,
    providerId: row.provider_id as string,
    name: row.name as string,
    contactEmail: (row.contact_email ?? null) as string | null,
    consentStatus: row.consent_status as ConsentStatus,
  }));
}
