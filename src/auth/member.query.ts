import type { Sql } from '../database/sql';

export interface MembershipRow {
  membershipId: string;
  role: 'owner' | 'member';
  partnerId: string;
  partnerName: string;
  partnerSlug: string;
  userId: string;
  userName: string;
  email: string;
  /** The person's chosen zone, else the partner's billing time zone. */
  timeZone: string;
}

/** A MembershipRow's columns, from membership `m`, partner `p` and user `u`. */
export const MEMBERSHIP_COLUMNS = `m.id as "membershipId", m.role, p.id as "partnerId", p.name as "partnerName", p.slug as "partnerSlug",
            u.id as "userId", u.name as "userName", u.email,
            coalesce(u.time_zone, p.terms_billing_time_zone) as "timeZone"`;

/**
 * The accepted memberships of an enabled user, with partner and user, by partner name: read on
 * every signed-in request, as plain rows with no entity hydration.
 */
export function readMemberships(sql: Sql, userId: string): Promise<MembershipRow[]> {
  return sql.all<MembershipRow>(
    `select ${MEMBERSHIP_COLUMNS}
       from membership m
       join partner p on p.id = m.partner_id
       join "user" u on u.id = m.user_id
      where m.user_id = ? and m.accepted_at is not null and u.disabled_at is null
      order by p.name, p.id`,
    [userId],
  );
}
