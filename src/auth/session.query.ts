import { sqlDate, type Sql } from '../database/sql';
import { MEMBERSHIP_COLUMNS, type MembershipRow } from './member.query';

export interface StoredSession {
  data: string;
  expiresAt: Date;
  absoluteExpiresAt: Date;
  /** The user it is signed in as, and that user's accepted memberships if enabled. */
  userId: string | null;
  memberships: MembershipRow[];
}

/**
 * Deletes up to `limit` sessions past their idle or absolute limit (the store refuses these
 * already), picked and deleted in one statement; housekeeping runs it until none is left.
 */
export const EXPIRED_SESSIONS = `delete from session where sid in (
  select sid from session where expires_at <= ? or absolute_expires_at <= ? limit ?)`;

/**
 * A stored session by its id, read on every request, with the accepted memberships of the
 * enabled user it is signed in as (none for a session nobody signed in to): the memberships
 * are read again on every request, and reading them here spares each page a statement. One
 * row by primary key and one per membership, no entity.
 */
export async function readSession(sql: Sql, sid: string): Promise<StoredSession | null> {
  const rows = await sql.byKey<
    { data: string; expires_at: unknown; absolute_expires_at: unknown; session_user_id: string | null } & MembershipRow
  >(
    `select s.data, s.expires_at, s.absolute_expires_at, s.user_id as session_user_id, ${MEMBERSHIP_COLUMNS}
       from session s
       left join "user" u on u.id = s.user_id and u.disabled_at is null
       left join membership m on m.user_id = u.id and m.accepted_at is not null
       left join partner p on p.id = m.partner_id
      where s.sid = ?
      order by p.name, p.id`,
    [sid],
  );
  if (!rows.length) return null;
  const [row] = rows;
  return {
    data: row.data,
    expiresAt: sqlDate(row.expires_at),
    absoluteExpiresAt: sqlDate(row.absolute_expires_at),
    userId: row.session_user_id,
    memberships: rows
      .filter((r) => r.membershipId !== null)
      .map(({ membershipId, role, partnerId, partnerName, partnerSlug, userId, userName, email, timeZone }) => ({
        membershipId,
        role,
        partnerId,
        partnerName,
        partnerSlug,
        userId,
        userName,
        email,
        timeZone,
      })),
  };
}
