import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { hashToken } from '../mail/mail-worker.service';
import { OutboxService } from '../mail/outbox.service';
import { Partner } from '../partners/entities/partner.entity';
import type { Membership } from '../users/entities/membership.entity';
import { User } from '../users/entities/user.entity';
import { UserToken, type TokenKind } from './entities/user-token.entity';

export { hashToken };

/**
 * Invitation and reset tokens. The row is made here, in the caller's transaction, without a
 * secret; the outbox worker makes the secret when it builds the email and stores its hash.
 */
@Injectable()
export class TokensService {
  constructor(
    private readonly clock: Clock,
    private readonly outbox: OutboxService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * A fresh invitation link for a membership not yet accepted, queued in the caller's
   * transaction. `name` is the name the inviter typed (not the person's name elsewhere).
   */
  async sendInvitation(
    em: EntityManager,
    membership: Membership,
    opts: { name: string; inviterName?: string | null; hasPassword: boolean },
  ): Promise<UserToken> {
    const user = membership.user;
    const token = await this.issue(em, 'invitation', user, membership.partner);
    this.outbox.enqueue(em, {
      to: user.email,
      template: 'invitation',
      subject: `You are invited to ${membership.partner.name} on Partner Hub`,
      partnerId: membership.partner.id,
      payload: {
        name: opts.name,
        partnerName: membership.partner.name,
        inviterName: opts.inviterName ?? null,
        email: user.email,
        role: membership.role,
        hasPassword: opts.hasPassword,
        validForDays: Math.round(this.config.tokens.invitationTtlMs / 86_400_000),
      },
      tokenId: token.id,
      linkPath: '/invitations',
    });
    return token;
  }

  /** A fresh password-reset link, queued in the caller's transaction. */
  async sendReset(em: EntityManager, user: User, partnerNames: string[]): Promise<UserToken> {
    const token = await this.issue(em, 'password_reset', user, null);
    this.outbox.enqueue(em, {
      to: user.email,
      template: 'password_reset',
      subject: 'Reset your Partner Hub password',
      payload: {
        name: user.name,
        email: user.email,
        partnerName: partnerNames.join(', '),
        validForMinutes: Math.round(this.config.tokens.resetTtlMs / 60_000),
      },
      tokenId: token.id,
      linkPath: '/password/reset',
    });
    return token;
  }

  /** A new token for this person (and partner), which replaces every older one still open. */
  async issue(em: EntityManager, kind: TokenKind, user: User, partner: Partner | null = null): Promise<UserToken> {
    const now = this.clock.now();
    const ttl = kind === 'invitation' ? this.config.tokens.invitationTtlMs : this.config.tokens.resetTtlMs;
    await em.nativeUpdate(UserToken, { user, kind, partner: partner ?? null, consumedAt: null }, { consumedAt: now });
    const token = new UserToken(kind, user, new Date(now.getTime() + ttl));
    token.partner = partner;
    token.createdAt = token.updatedAt = now;
    em.persist(token);
    return token;
  }

  /** Closes every open token of a person for a partner (an invitation revoked). */
  async revoke(em: EntityManager, kind: TokenKind, userId: string, partnerId: string | null): Promise<void> {
    await em.nativeUpdate(UserToken, { user: userId, kind, partner: partnerId, consumedAt: null }, { consumedAt: this.clock.now() });
  }

  /** The usable token with this hash, or null: unknown, used, replaced and expired look alike. */
  async findUsable(em: EntityManager, kind: TokenKind, hash: string): Promise<UserToken | null> {
    return em.findOne(
      UserToken,
      { kind, tokenHash: hash, consumedAt: null, expiresAt: { $gt: this.clock.now() } },
      { populate: ['user', 'partner'] },
    );
  }

  /**
   * Uses the token once: a conditional UPDATE, so that of two simultaneous submissions exactly
   * one matches the row. Call it inside the transaction that applies the change.
   */
  async consume(em: EntityManager, kind: TokenKind, hash: string): Promise<UserToken | null> {
    const now = this.clock.now();
    const token = await this.findUsable(em, kind, hash);
    if (!token) return null;
    const won = await em.nativeUpdate(UserToken, { id: token.id, consumedAt: null, expiresAt: { $gt: now } }, { consumedAt: now });
    return won === 1 ? token : null;
  }
}
