import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { actorOf, AuditService, type AuditInput } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { canonicalEmail } from '../common/email';
import type { CurrentMember, RequestOrigin } from '../common/http';
import { Sql } from '../database/sql';
import { OutboxService } from '../mail/outbox.service';
import { Partner } from '../partners/entities/partner.entity';
import { Membership } from './entities/membership.entity';
import { User } from './entities/user.entity';
import { AuthLimits } from './auth.throttles';
import { readMemberships, type MembershipRow } from './member.query';
import { passwordTooLong, verifyPassword } from './passwords';
import { EXPIRED_SESSIONS } from './session.query';

export interface MemberContext {
  member: CurrentMember;
  memberships: { partnerId: string; partnerName: string }[];
}

@Injectable()
export class AuthService {
  constructor(
    private readonly em: EntityManager,
    private readonly sql: Sql,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
  ) {}

  /** Deletes the sessions past their idle or absolute limit at `now` (housekeeping); returns how many went. */
  pruneExpiredSessions(now: Date, batchSize: number): Promise<number> {
    return this.sql.deleteInBatches(EXPIRED_SESSIONS, [now, now], batchSize);
  }

  /** A wrong password for an address on a team: its owners see it in Activity. */
  async signInFailed(email: string, origin: RequestOrigin): Promise<void> {
    await this.onTeams(email, async (em, user, partnerIds) => {
      for (const partnerId of partnerIds) this.audit.record(em, this.attempt('auth.sign_in_failed', partnerId, user, origin));
    });
  }

  /**
   * The account's password checks ran out for this window: Activity says so, and the person is
   * told once per lock (the caller calls this for the first refusal of a window only).
   */
  async signInLocked(email: string, origin: RequestOrigin): Promise<void> {
    await this.onTeams(email, async (em, user, partnerIds, billingTimeZone) => {
      const lock = { minutes: Math.round(AuthLimits.signInPerAccount.windowMs / 60_000), newBrowsersOnly: true };
      for (const partnerId of partnerIds) this.audit.record(em, this.attempt('auth.sign_in_locked', partnerId, user, origin, lock));
      this.outbox.enqueue(em, {
        to: user.email,
        template: 'sign_in_locked',
        subject: 'Signing in to Partner Hub is paused after failed attempts',
        partnerId: partnerIds[0],
        payload: {
          name: user.name,
          email: user.email,
          minutes: Math.round(AuthLimits.signInPerAccount.windowMs / 60_000),
          at: this.clock.now().toISOString(),
          timeZone: user.timeZone ?? billingTimeZone,
        },
      });
    });
  }

  /** `billingTimeZone` is that of the person's first partner by name (for an email's times). */
  private async onTeams(
    email: string,
    write: (em: EntityManager, user: User, partnerIds: string[], billingTimeZone: string) => Promise<void>,
  ): Promise<void> {
    const em = this.em.fork();
    const user = await em.findOne(User, { email, disabledAt: null });
    if (!user) return;
    const memberships = await em.find(
      Membership,
      { user, acceptedAt: { $ne: null } },
      { populate: ['partner'], orderBy: { partner: { name: 'asc' } } },
    );
    if (memberships.length === 0) return;
    await write(
      em,
      user,
      memberships.map((m) => m.partner.id),
      memberships[0].partner.terms.billingTimeZone,
    );
    await em.flush();
  }

  private attempt(action: string, partnerId: string, user: User, origin: RequestOrigin, extra: Record<string, unknown> = {}): AuditInput {
    // The actor is whoever typed the password, not the account's owner. The account is named
    // as it was then, for Activity's sentence; the password typed is never kept.
    return {
      action,
      partnerId,
      actorLabel: 'Unknown visitor',
      subjectType: 'user',
      subjectId: user.id,
      data: { name: user.name, email: user.email, ...extra },
      origin,
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

  /** The zone the person chose (null: none, so the partner's) and the partner's billing time zone. */
  async timeZoneSetting(member: CurrentMember): Promise<{ chosen: string | null; billing: string }> {
    const em = this.em.fork();
    const [user, partner] = await Promise.all([em.findOneOrFail(User, member.userId), em.findOneOrFail(Partner, member.partnerId)]);
    return { chosen: user.timeZone ?? null, billing: partner.terms.billingTimeZone };
  }

  /**
   * Sets the zone the person reads times in, on pages and in emails (null: their partner's
   * billing time zone). Recorded in the Activity of each of their partners, as a password
   * change is; choosing the zone already chosen records nothing.
   */
  async setTimeZone(member: CurrentMember, zone: string | null, origin: RequestOrigin): Promise<void> {
    await this.em.fork().transactional(async (tx) => {
      const user = await tx.findOneOrFail(User, member.userId);
      const from = user.timeZone ?? null;
      if (from === zone) return;
      user.timeZone = zone;
      const memberships = await tx.find(Membership, { user, acceptedAt: { $ne: null } }, { fields: ['partner'] });
      for (const m of memberships) {
        this.audit.record(tx, {
          action: 'auth.time_zone_changed',
          partnerId: m.partner.id,
          actor: actorOf(member),
          subjectType: 'user',
          subjectId: user.id,
          data: { from, to: zone },
          origin,
        });
      }
    });
  }

  /**
   * Reloads the user and the memberships on every request, so that a removed membership or a
   * disabled user is out at once: `read` when the request's session was read with them (one
   * statement for both), else here. Returns null when the session no longer grants access.
   */
  async loadMember(userId: string, preferredPartnerId?: string, read?: MembershipRow[]): Promise<MemberContext | null> {
    const rows = read ?? (await readMemberships(this.sql, userId));
    if (rows.length === 0) return null;
    const current = rows.find((m) => m.partnerId === preferredPartnerId) ?? rows[0];
    return {
      member: {
        userId: current.userId,
        userName: current.userName,
        email: current.email,
        partnerId: current.partnerId,
        partnerName: current.partnerName,
        partnerSlug: current.partnerSlug,
        role: current.role,
        membershipId: current.membershipId,
        timeZone: current.timeZone,
      },
      memberships: rows.map((m) => ({ partnerId: m.partnerId, partnerName: m.partnerName })),
    };
  }
}
