import type { Sql } from '../database/sql';
import { actorName } from './activity-sentences';
import { nameWithAddress } from './audit.service';

/**
 * The people a partner's log names as actors, people who have left included, for the "Person"
 * filter: one option each, by the latest label recorded (a name can change). The person asked
 * for comes first, so that the limit never leaves out whom the filter names.
 */
export async function readLoggedPeople(sql: Sql, partnerId: string, asked = ''): Promise<{ id: string; label: string }[]> {
  const rows = await sql.all<{ actor_id: string; actor_label: string }>(
    `select actor_id, actor_label, max(created_at) as last_at from audit_event
      where partner_id = ? and actor_id is not null
      group by actor_id, actor_label
      order by case when actor_id = ? then 0 else 1 end, last_at desc
      limit 1000`,
    [partnerId, asked],
  );
  const seen = new Map<string, string>();
  for (const r of rows) if (!seen.has(r.actor_id)) seen.set(r.actor_id, personLabel(r.actor_label));
  return [...seen].map(([id, label]) => ({ id, label })).sort((a, b) => a.label.localeCompare(b.label));
}

/**
 * The memberships a person joined this partner with, as the log knows them: events about a
 * membership (invited, role changed, removed) are about that person too.
 */
export async function readJoinedMemberships(sql: Sql, partnerId: string, userId: string): Promise<string[]> {
  const rows = await sql.all<{ subject_id: string }>(
    "select distinct subject_id from audit_event where partner_id = ? and actor_id = ? and action = 'team.joined' and subject_id is not null",
    [partnerId, userId],
  );
  return rows.map((r) => r.subject_id);
}

/** "Olive Owner <olive@x.example>" as an option: "Olive Owner (olive@x.example)", two Olives apart. */
function personLabel(label: string): string {
  const name = actorName(label);
  const email = /<([^<>]*)>$/.exec(label)?.[1];
  return email && name !== label ? nameWithAddress({ name, email }) : label;
}
