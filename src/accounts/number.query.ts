import type { Sql } from '../database/sql';
import { keysetSql, numberWhere, type Cursor, type NumberFilter } from './number-filter';
import { CARD_ROW_SQL, NUMBER_ROW_SQL, toCardRow, toNumberRow, type CardRow, type NumberRow } from './number-row';

/**
 * Up to `limit` cards of a partner's numbers that match the filter, in its sort order after the
 * cursor: keyset pagination on the (partner, key, id) index, so a deep page costs what the
 * first one does.
 */
export async function readNumberCards(
  sql: Sql,
  partnerId: string,
  filter: NumberFilter,
  cursor: Cursor | undefined,
  limit: number,
  now: Date,
): Promise<CardRow[]> {
  const page = keysetSql(numberWhere(partnerId, filter, now), cursor, limit, filter.sort);
  const rows = await sql.all<Record<string, unknown>>(`${CARD_ROW_SQL} ${page.sql}`, page.params);
  return rows.map(toCardRow);
}

/** A number of this partner that is still in the hub, or null (unknown, foreign or removed). */
export async function readVisibleNumber(sql: Sql, partnerId: string, id: string): Promise<NumberRow | null> {
  const [row] = await sql.all<Record<string, unknown>>(
    `${NUMBER_ROW_SQL} where n.id = ? and n.partner_id = ? and n.billing_state <> 'removed'`,
    [id, partnerId],
  );
  return row ? toNumberRow(row) : null;
}
