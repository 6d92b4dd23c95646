import type { Dialect } from '../database/orm.config';
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

/** An entry's columns, in the order `historyJsonSql` packs them. */
const ENTRY_COLUMNS = ['family', 'from_value', 'to_value', 'source', 'changed_at'];

/**
 * The status history of the number `n` of the query around it, newest first and at most `?`
 * entries, as one JSON array of arrays (`historyOfJson` reads it): the details page reads the
 * number and its history in one statement.
 */
export function historyJsonSql(dialect: Dialect): string {
  const entry = ENTRY_COLUMNS.map((c) => `h.${c}`).join(', ');
  const packed =
    dialect === 'postgresql'
      ? `coalesce(json_agg(json_build_array(${entry}) order by h.changed_at desc, h.id desc), '[]')`
      : `json_group_array(json_array(${entry}) order by h.changed_at desc, h.id desc)`;
  return `(select ${packed} from (
      select id, ${ENTRY_COLUMNS.join(', ')} from number_status_change
       where partner_id = n.partner_id and number_id = n.id order by changed_at desc, id desc limit ?) h)`;
}

/** The entries `historyJsonSql` packed: text on SQLite, parsed by the driver on PostgreSQL. */
export function historyOfJson(value: unknown): StatusChangeRow[] {
  const entries = (typeof value === 'string' ? JSON.parse(value) : value) as [FamilyKey, string | null, string, ChangeSource, unknown][];
  return entries.map(([family, fromValue, toValue, source, changedAt]) => ({
    family,
    fromValue,
    toValue,
    source,
    changedAt: sqlDate(changedAt),
  }));
}
