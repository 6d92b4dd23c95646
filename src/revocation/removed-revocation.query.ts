import { sqlDate, type Sql } from '../database/sql';

/** The revocation that removed a number, with who requested it. */
export interface RemovedRevocation {
  removedAt: Date;
  terminationDate: string;
  billingTimeZone: string;
  /** When billing to the partner ended by the contract: the end of the termination date (the job marks it later). */
  billingEndsAt: Date;
  requestedAt: Date;
  reason: string | null;
  /** The person who asked, as they are now; null for an API key, or a person deleted since. */
  requester: { name: string; email: string } | null;
  /** Who asked, as they were named then (null on revocations older than that record). */
  requesterLabel: string | null;
}

/** The revocation that removed this partner's number from the hub, or null (none did). */
export async function readRemovedRevocation(sql: Sql, partnerId: string, numberId: string): Promise<RemovedRevocation | null> {
  const [row] = await sql.all<Record<string, unknown>>(
    `select r.removed_at, r.termination_date, r.billing_time_zone, r.billing_ends_at, r.requested_at, r.reason, r.requested_by_label,
            u.name as requester_name, u.email as requester_email
       from revocation r
       left join "user" u on u.id = r.requested_by_id
      where r.partner_id = ? and r.number_id = ? and r.withdrawn_at is null and r.removed_at is not null
      order by r.removed_at desc
      limit 1`,
    [partnerId, numberId],
  );
  if (!row) return null;
  return {
    removedAt: sqlDate(row.removed_at),
    terminationDate: row.termination_date as string,
    billingTimeZone: row.billing_time_zone as string,
    billingEndsAt: sqlDate(row.billing_ends_at),
    requestedAt: sqlDate(row.requested_at),
    reason: (row.reason ?? null) as string | null,
    requester: row.requester_email ? { name: row.requester_name as string, email: row.requester_email as string } : null,
    requesterLabel: (row.requested_by_label ?? null) as string | null,
  };
}
