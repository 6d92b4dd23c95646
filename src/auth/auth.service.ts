import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { AuditService, type AuditInput } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { canonicalEmail } from '../common/email';
import { originOf, type CurrentMember, type HubRequest } from '../common/http';
import { PreparedSql } from '../database/prepared-sql';
import { OutboxService } from '../mail/outbox.service';
import { Membership } from '../users/entities/membership.entity';
import { User } from '../users/entities/user.entity';
import { AuthLimits } from './auth.throttles';
import { passwordTooLong, verifyPassword } from './passwords';

interface MemberRow {
  membership_id: string;
  role: 'owner' | 'member';
  partner_id: string;
  partner_name: string;
  partner_slug: string;
  user_id: string;
  user_name: string;
  email: string;
}

export interface MemberContext {
  member: CurrentMember;
  memberships: { partnerId: string; partnerName: string }[];
}

@Injectable()
export class AuthService {
  constructor(
    private readonly em: EntityManager,
    private readonly sql: PreparedSql,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
  ) {}

  /** A wrong password for an address on a team: its owners see it in Activity. */
  async signInFailed(email: string, req: HubRequest): Promise<void> {
    await this.onTeams(email, async (em, user, partnerIds) => {
      for (const partnerId of partnerIds) this.audit.record(em, this.attempt('auth.sign_in_failed', partnerId, user, req));
    });
  }

  /**
   * The account's password checks ran out for this window: Activity says so, and the person is
   * told once per lock (the caller calls this for the first refusal of a window only).
   */
  async signInLocked(email: string, req: HubRequest): Promise<void> {
    await this.onTeams(email, async (em, user, partnerIds) => {
      for (const partnerId of partnerIds) this.audit.record(em, this.attempt('auth.sign_in_locked', partnerId, user, req));
      this.outbox.enqueue(em, {
        to: user.email,
        template: 'sign_in_locked',
        subject: 'Signing in to Partner Hub is paused after failed attempts',
        partnerId: partnerIds[0],
        payload: { name: user.name, email: user.email, minutes: Math.round(AuthLimits.signInPerAccount.windowMs / 60_000) },
      });
    });
  }

  private async onTeams(email: string, write: (em: EntityManager, user: User, partnerIds: string[]) => Promise<void>): Promise<void> {
    const em = this.em.fork();
    const user = await em.findOne(User, { email, disabledAt: null });
    if (!user) return;
    const memberships = await em.find(Membership, { user, acceptedAt: { $ne: null } }, { fields: ['partner'] });
    if (memberships.length === 0) return;
    await write(
      em,
      user,
      memberships.map((m) => m.partner.id),
    );
    await em.flush();
  }

  private attempt(action: string, partnerId: string, user: User, req: HubRequest): AuditInput {
    // The actor is whoever typed the password, not the account's owner.
    return {
      action,
      partnerId,
      actorLabel: 'Unknown visitor',
      subjectType: 'user',
      subjectId: user.id,
      data: { email: user.email },
      origin: originOf(req),
    };
  }

  /**
   * The user for these credentials, or null. Unknown email, wrong password, an invitation not
   * yet accepted, a disabled user and a user with no partner left all fail alike, and every
   * path runs one bcrypt comparison so that timing tells nothing either.
   */
  async verifyCredentials(email: string, password: string): Promise<User | null> {
    const em = this.em.fork();
    const user = await em.findOne(User, { email: canonicalEmail(email) }, { populate: ['passwordHash'] });
    const tooLong = passwordTooLong(password);
    const ok = await verifyPassword(tooLong ? '' : password, user?.passwordHash);
    if (!user || !ok || tooLong || user.disabledAt) return null;
    const active = await em.count(Membership, { user, acceptedAt: { $ne: null } });
    if (active === 0) return null;
    await em.nativeUpdate(User, { id: user.id }, { lastSignInAt: this.clock.now() });
    return user;
  }

  /**
   * Reloads the user and the memberships on every request, so that a removed membership or a
   * disabled user is out at once. Returns null when the session no longer grants access.
   */
  async loadMember(userId: string, preferredPartnerId?: string): Promise<MemberContext | null> {
    // Every signed-in request runs this: one prepared statement, no entity hydration.
    const rows = await this.sql.all<MemberRow>(
      `select m.id as membership_id, m.role, p.id as partner_id, p.name as partner_name, p.slug as partner_slug,
              u.id as user_id, u.name as user_name, u.email
         from membership m
         join partner p on p.id = m.partner_id
         join "user" u on u.id = m.user_id
        where m.user_id = ? and m.accepted_at is not null and u.disabled_at is null
        order by p.name, p.id`,
      [userId],
    );
    if (rows.length === 0) return null;
    const current = rows.find((m) => m.partner_id === preferredPartnerId) ?? rows[0];
    return {
      member: {
        userId: current.user_id,
        userName: current.user_name,
        email: current.email,
        partnerId: current.partner_id,
        partnerName: current.partner_name,
        partnerSlug: current.partner_slug,
        role: current.role,
        membershipId: current.membership_id,
      },
      memberships: rows.map((m) => ({ partnerId: m.partner_id, partnerName: m.partner_name })),
    };
  }
}
