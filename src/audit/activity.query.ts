import type { Sql } from '../database/sql';

/** The actions a partner's log holds, for the "What" filter. */
export async function readLoggedActions(sql: Sql, partnerId: string): Promise<string[]> {
  const rows = await sql.all<{ action: string }>('select distinct action from audit_event where partner_id = ? order by action', [
    partnerId,
  ]);
  return rows.map((r) => r.action);
}

/** The people a partner's log names, people who have left included, for the "Who" filter. */
export async function readLoggedActors(sql: Sql, partnerId: string): Promise<{ id: string; label: string }[]> {
  const rows = await sql.all<{ actor_id: string; actor_label: string }>(
    'select distinct actor_id, actor_label from audit_event where partner_id = ? and actor_id is not null order by actor_label limit 500',
    [partnerId],
  );
  return rows.map((r) => ({ id: r.actor_id, label: r.actor_label }));
}
