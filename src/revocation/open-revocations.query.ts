import type { Sql } from '../database/sql';

export interface OpenRevocationDates {
  numberId: string;
  terminationDate: string;
  billingTimeZone: string;
}

/** The dates of the open (not withdrawn) revocations of some of a partner's numbers: one query per page. */
export function readOpenRevocationDates(sql: Sql, partnerId: string, numberIds: string[]): Promise<OpenRevocationDates[]> {
  return sql.all<OpenRevocationDates>(
    `select number_id as "numberId", termination_date as "terminationDate", billing_time_zone as "billingTimeZone"
       from revocation
      where partner_id = ? and withdrawn_at is null and number_id in (${numberIds.map(() => '?').join(', ')})`,
    [partnerId, ...numberIds],
  );
}
