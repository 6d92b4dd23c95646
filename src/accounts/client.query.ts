import { sqlNumber, type Sql } from '../database/sql';
import type { ConsentStatus, OnBehalfStatus, VerificationStatus, WabaStatus } from '../statuses';

/** A client as its page shows it. */
export interface ClientRow {
  id: string;
  providerId: string;
  name: string;
  contactEmail: string | null;
  consentStatus: ConsentStatus;
}

/** One of a client's WABA accounts, with how many of its numbers are in the hub. */
export interface ClientWabaRow {
  id: string;
  providerId: string;
  externalId: string;
  namespace: string | null;
  status: WabaStatus;
  businessVerificationStatus: VerificationStatus;
  messageOnBehalfStatus: OnBehalfStatus;
  numbers: number;
}

/** A client of this partner, or null (unknown or another partner's). */
export async function readClient(sql: Sql, partnerId: string, clientId: string): Promise<ClientRow | null> {
  const [row] = await sql.all<Record<string, unknown>>(
    `select id, provider_id, name, contact_email, consent_status from client where id = ? and partner_id = ?`,
    [clientId, partnerId],
  );
  if (!row) return null;
  return {
    id: row.id as string,
    providerId: row.provider_id as string,
    name: row.name as string,
    contactEmail: (row.contact_email ?? null) as string | null,
    consentStatus: row.consent_status as ConsentStatus,
  };
}

/** The client's WABA accounts in the order the provider made them (`numbers` from countClientWabaNumbers). */
export async function readClientWabas(sql: Sql, partnerId: string, clientId: string): Promise<Omit<ClientWabaRow, 'numbers'>[]> {
  const rows = await sql.all<Record<string, unknown>>(
    `select w.id, w.provider_id, w.external_id, w.namespace, w.status, w.business_verification_status, w.message_on_behalf_status
       from waba_account w
      where w.client_id = ? and w.partner_id = ?
      order by w.created_at, w.id`,
    [clientId, partnerId],
  );
  return rows.map((r) => ({
    id: r.id as string,
    providerId: r.provider_id as string,
    externalId: r.external_id as string,
    namespace: (r.namespace ?? null) as string | null,
    status: r.status as WabaStatus,
    businessVerificationStatus: r.business_verification_status as VerificationStatus,
    messageOnBehalfStatus: r.message_on_behalf_status as OnBehalfStatus,
  }));
}

/** How many numbers of each of the client's WABA accounts are still in the hub, by WABA id. */
export async function countClientWabaNumbers(sql: Sql, partnerId: string, clientId: string): Promise<Map<string, number>> {
  const rows = await sql.all<{ id: string; numbers: unknown }>(
    `select w.id, (select count(*) from whatsapp_number n where n.waba_account_id = w.id and n.billing_state <> 'removed') as numbers
       from waba_account w
      where w.client_id = ? and w.partner_id = ?`,
    [clientId, partnerId],
  );
  return new Map(rows.map((r) => [r.id, sqlNumber(r.numbers)]));
}
