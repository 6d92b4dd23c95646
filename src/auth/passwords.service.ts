import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { AfterResponse } from '../common/after-response';
import { Clock } from '../common/clock';
import type { RequestOrigin } from '../common/http';
import { LOGGER, type Logger } from '../common/logger';
import { OutboxService } from '../mail/outbox.service';
import { Membership } from './entities/membership.entity';
import { User } from './entities/user.entity';
import { RateLimiter } from '../throttle';
import { AuthErrors } from './auth.errors';
import { AuthLimits } from './auth.throttles';
import { SessionRecord } from './entities/session.entity';
import { hashPassword, verifyPassword } from './passwords';
import { TokensService } from './tokens.service';
import { limitNetwork } from '../common/ip-network';

export interface LinkContext {
  email: string;
  name: string;
  partnerNames: string[];
}

/** Forgotten and changed passwords: the links, the new hash, and the sessions that end. */
@Injectable()
export class PasswordsService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly tokens: TokensService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly limits: RateLimiter,
    private readonly after: AfterResponse,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Answers a forgotten-password request. Known and unknown addresses cost the request the same:
   * both spend the address's and the IP's allowance (RateLimited past either), and the rest
   * runs after the answer. Both then queue one email: a reset link to a person on a team, a
   * fresh invitation to a person only invited so far, and to any other address a note that no
   * account uses it.
   */
  async requestLink(email: string, origin: RequestOrigin): Promise<void> {
    await this.limits.claimAll(origin, 'forgot', [
      [AuthLimits.forgotPerIp, limitNetwork(origin.ip)],
      [AuthLimits.forgotPerAddress, email],
    ]);
    this.after.run(origin, 'password link', () => this.queueLink(email, origin));
  }

  private async queueLink(email: string, origin: RequestOrigin): Promise<void> {
    await this.em.fork().transactional(async (tx) => {
      const user = await tx.findOne(User, { email, disabledAt: null });
      const memberships = user ? await tx.find(Membership, { user }, { populate: ['partner'], orderBy: { partner: { name: 'asc' } } }) : [];
      const accepted = memberships.filter((m) => m.acceptedAt);
      if (!user || memberships.length === 0) {
        this.outbox.enqueue(tx, {
          to: email,
          template: 'password_reset_unknown',
          subject: 'Your Partner Hub password request',
          payload: { email },
        });
      } else if (accepted.length) {
        await this.tokens.sendReset(
          tx,
          user,
          accepted.map((m) => m.partner.name),
          user.timeZone ?? accepted[0].partner.terms.billingTimeZone,
        );
      } else {
        // Only invited so far: the way to a new link is a fresh invitation for each partner,
        // each greeting them by the name that team typed.
        for (const m of memberships) await this.tokens.sendInvitation(tx, m, { name: m.invitedName ?? user.name, hasPassword: false });
      }
    });
    this.logger.info({ event: 'password.link_requested', requestId: origin.requestId }, 'link request queued');
  }

  /** Who a usable reset link is for, or null (unknown, used, replaced and expired alike). */
  async describeReset(hash: string): Promise<LinkContext | null> {
    const em = this.em.fork();
    const token = await this.tokens.findUsable(em, 'password_reset', hash);
    if (!token) return null;
    return { email: token.user.email, name: token.user.name, partnerNames: await this.partnerNames(em, token.user.id) };
  }

  /**
   * Sets the new password with the link, once. Every session of the person ends and an email
   * tells them their password changed. Answers the person's address.
   */
  async reset(hash: string, password: string, origin: RequestOrigin): Promise<string> {
    const passwordHash = await hashPassword(password);
    return this.em.fork().transactional(async (tx) => {
      const token = await this.tokens.consume(tx, 'password_reset', hash);
      if (!token) throw AuthErrors.linkInvalid();
      await this.applyNewPassword(tx, token.user, passwordHash, 'auth.password_reset', origin);
      return token.user.email;
    });
  }

  /**
   * Changes the password of a signed-in person after checking the current one (a check counts
   * against a limit, as sign-in does). Every session of theirs ends, this one included: the
   * caller signs them in again under a new session id.
   */
  async change(userId: string, current: string, password: string, origin: RequestOrigin): Promise<void> {
    const ip = limitNetwork(origin.ip);
    await this.limits.claimAll(origin, 'password.current', [
      [AuthLimits.currentPasswordPerIp, ip],
      [AuthLimits.currentPasswordPerUser, userId],
    ]);
    const em = this.em.fork();
    const user = await em.findOneOrFail(User, userId, { populate: ['passwordHash'] });
    if (!(await verifyPassword(current, user.passwordHash))) throw AuthErrors.wrongCurrentPassword();
    await this.limits.refundAll([
      [AuthLimits.currentPasswordPerIp, ip],
      [AuthLimits.currentPasswordPerUser, userId],
    ]);
    const passwordHash = await hashPassword(password);
    await em.transactional((tx) => this.applyNewPassword(tx, user, passwordHash, 'auth.password_changed', origin));
  }

  async partnerNames(em: EntityManager, userId: string): Promise<string[]> {
    const memberships = await em.find(Membership, { user: userId, acceptedAt: { $ne: null } }, { populate: ['partner'] });
    return memberships.map((m) => m.partner.name).sort();
  }

  private async applyNewPassword(
    tx: EntityManager,
    user: User,
    passwordHash: string,
    action: string,
    origin: RequestOrigin,
  ): Promise<void> {
    const now = this.clock.now();
    await tx.nativeUpdate(User, { id: user.id }, { passwordHash, passwordChangedAt: now, updatedAt: now });
    // Every other way in closes: sessions elsewhere and any other open reset link.
    await tx.nativeDelete(SessionRecord, { userId: user.id });
    await this.tokens.revoke(tx, 'password_reset', user.id, null);
    const memberships = await tx.find(
      Membership,
      { user, acceptedAt: { $ne: null } },
      { populate: ['partner'], orderBy: { partner: { name: 'asc' } } },
    );
    const actor = { id: user.id, name: user.name, email: user.email };
    for (const m of memberships)
      this.audit.record(tx, { action, partnerId: m.partner.id, actor, subjectType: 'user', subjectId: user.id, origin });
    this.outbox.enqueue(tx, {
      to: user.email,
      template: 'password_changed',
      subject: 'Your Partner Hub password was changed',
      partnerId: memberships[0]?.partner.id ?? null,
      payload: {
        name: user.name,
        email: user.email,
        partnerName: memberships
          .map((m) => m.partner.name)
          .sort()
          .join(', '),
        changedAt: now.toISOString(),
        timeZone: user.timeZone ?? memberships[0]?.partner.terms.billingTimeZone ?? 'UTC',
      },
    });
    this.logger.info({ event: action, requestId: origin.requestId, userId: user.id }, 'password changed');
  }
}
