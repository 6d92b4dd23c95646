import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import type { HubRequest } from '../common/http';
import { LOGGER, type Logger } from '../common/logger';
import { OutboxService } from '../mail/outbox.service';
import { Membership } from '../users/entities/membership.entity';
import { User } from '../users/entities/user.entity';
import { AuthErrors } from './auth.errors';
import { SessionRecord } from './entities/session.entity';
import { hashPassword, verifyPassword } from './passwords';
import { TokensService } from './tokens.service';

/** Reset links one email address can be sent per hour. */
export const MAX_LINKS_PER_HOUR = 3;
const HOUR_MS = 3_600_000;

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
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Sends a link to this address if it belongs to someone: a reset link to a person on a team,
   * a fresh invitation to a person only invited so far. The caller answers the same either
   * way; at most MAX_LINKS_PER_HOUR links per address and hour.
   */
  async requestLink(email: string, req: HubRequest): Promise<void> {
    const em = this.em.fork();
    const user = await em.findOne(User, { email, disabledAt: null });
    if (!user) return;
    const now = this.clock.now();
    await em.transactional(async (tx) => {
      const since = new Date(now.getTime() - HOUR_MS);
      const memberships = await tx.find(Membership, { user }, { populate: ['partner'], orderBy: { partner: { name: 'asc' } } });
      const accepted = memberships.filter((m) => m.acceptedAt);
      const kind = accepted.length ? 'password_reset' : 'invitation';
      if (memberships.length === 0) return;
      if (
        (await this.tokens.countSince(tx, kind, user.id, since)) >=
        MAX_LINKS_PER_HOUR * Math.max(1, kind === 'invitation' ? memberships.length : 1)
      ) {
        this.logger.warn({ event: 'password.link_throttled', requestId: req.id, userId: user.id }, 'link request throttled');
        return;
      }
      if (accepted.length) {
        await this.tokens.sendReset(
          tx,
          user,
          accepted.map((m) => m.partner.name),
        );
      } else {
        // Only invited so far: the way to a new link is a fresh invitation for each partner.
        for (const m of memberships) await this.tokens.sendInvitation(tx, m, { name: user.name, hasPassword: false });
      }
      this.logger.info({ event: 'password.link_sent', requestId: req.id, userId: user.id, kind }, 'link queued');
    });
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
   * tells them their password changed.
   */
  async reset(hash: string, password: string, req: HubRequest): Promise<void> {
    const passwordHash = await hashPassword(password);
    await this.em.fork().transactional(async (tx) => {
      const token = await this.tokens.consume(tx, 'password_reset', hash);
      if (!token) throw AuthErrors.linkInvalid();
      await this.applyNewPassword(tx, token.user, passwordHash, 'auth.password_reset', req, null);
    });
  }

  /** Changes the password of a signed-in person; their other sessions end. */
  async change(userId: string, current: string, password: string, req: HubRequest): Promise<void> {
    const em = this.em.fork();
    const user = await em.findOneOrFail(User, userId, { populate: ['passwordHash'] });
    if (!(await verifyPassword(current, user.passwordHash))) throw AuthErrors.wrongCurrentPassword();
    const passwordHash = await hashPassword(password);
    await em.transactional((tx) => this.applyNewPassword(tx, user, passwordHash, 'auth.password_changed', req, req.sessionID));
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
    req: HubRequest,
    keepSid: string | null,
  ): Promise<void> {
    const now = this.clock.now();
    await tx.nativeUpdate(User, { id: user.id }, { passwordHash, passwordChangedAt: now, updatedAt: now });
    // Every other way in closes: sessions elsewhere and any other open reset link.
    await tx.nativeDelete(SessionRecord, keepSid ? { userId: user.id, sid: { $ne: keepSid } } : { userId: user.id });
    await this.tokens.revoke(tx, 'password_reset', user.id, null);
    const memberships = await tx.find(Membership, { user, acceptedAt: { $ne: null } }, { populate: ['partner'] });
    const actor = { id: user.id, name: user.name, email: user.email };
    for (const m of memberships)
      this.audit.record(tx, { action, partnerId: m.partner.id, actor, subjectType: 'user', subjectId: user.id, req });
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
      },
    });
    this.logger.info({ event: action, requestId: req.id, userId: user.id }, 'password changed');
  }
}
