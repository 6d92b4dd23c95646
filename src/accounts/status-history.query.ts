import { sqlDate, type Sql } from '../database/sql';
import type { FamilyKey } from '../statuses';
import type { ChangeSource, NumberStatusChange } from './entities/number-status-change.entity';

/** One entry of a number's status history, as the details page shows it. */
export type StatusChangeRow = Pick<NumberStatusChange, 'family' | 'fromValue' | 'toValue' | 'source' | 'changedAt'>;

/** A number's status history, newest first, at most `limit` entries. */
export async function readStatusHistory(sql: Sql, partnerId: string, numberId: string, limit: number): Promise<StatusChangeRow[]> {
  const rows = await sql.all<{ family: FamilyKey; from_value: string | null; to_value: string; source: ChangeSource; changed_at: unknown }>(
    `select family, from_value, to_value, source, changed_at from number_status_change
      where partner_id = ? and number_id = ? order by changed_at desc, id desc limit ?`,
    [partnerId, numberId, limit],
  );
  return rows.map((r) => ({
    family: r.family,
    fromValue: r.from_value,
    toValue: r.to_value,
    source: r.source,
    changedAt: sqlDate(r.changed_at),
  }));
}
