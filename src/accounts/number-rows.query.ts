import type { Sql } from '../database/sql';
import { NUMBER_ROW_SQL, toNumberRow, type NumberRow } from './number-row';

/**
 * Full rows of some of a partner's numbers still in the hub, by id, in no particular order:
 * what the Partner API lists for a page whose order and cursors `page()` already decided.
 */
export async function readNumbersByIds(sql: Sql, partnerId: string, ids: readonly string[]): Promise<NumberRow[]> {
  if (!ids.length) return [];
  const rows = await sql.all<Record<string, unknown>>(
    `${NUMBER_ROW_SQL} where n.partner_id = ? and n.billing_state <> 'removed' and n.id in (${ids.map(() => '?').join(', ')})`,
    [partnerId, ...ids],
  );
  return rows.map(toNumberRow);
}
