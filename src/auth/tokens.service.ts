import { createHash } from 'node:crypto';
import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { OutboxService, type MailLinkIssuer } from '../mail/outbox.service';
import { Partner } from '../partners/entities/partner.entity';
import type { Membership } from './entities/membership.entity';
import { User } from './entities/user.entity';
import { UserToken, type TokenKind } from './entities/user-token.entity';
import { LinkTokens } from './link-tokens';
import { Sql } from '../database/sql';
import { OLD_TOKENS } from './user-token.query';

/** What the token table stores of a raw token. */
export function hashToken(raw: string): string {
  return createHash('sha256').update(raw, 'utf8').digest('hex');
}

/**
 * Invitation and reset tokens. The row is made here, in the caller's transaction, without a
 * secret; the secret is made when the mail worker builds the email (this is its MailLinkIssuer),
 * and only its hash is stored.
 */
@Injectable()
export class TokensService implements MailLinkIssuer {
  private readonly links: LinkTokens;

  constructor(
    private readonly clock: Clock,
    private readonly outbox: OutboxService,
    private readonly sql: Sql,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.links = new LinkTokens(config.session.secret);
  }

  /** Deletes the tokens used or expired before `cutoff` that no pending email needs (housekeeping); returns how many went. */
  prune(cutoff: Date, batchSize: number): Promise<number> {
    return this.sql.deleteInBatches(OLD_TOKENS, [cutoff, cutoff], batchSize);
  }

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
        expiresAt: token.expiresAt.toISOString(),
        timeZone: user.timeZone ?? membership.partner.terms.billingTimeZone,
      },
      tokenId: token.id,
      linkPath: '/invitations',
    });
    return token;
  }

  /** A fresh password-reset link, queued in the caller's transaction; its expiry shown in `timeZone`. */
  async sendReset(em: EntityManager, user: User, partnerNames: string[], timeZone: string): Promise<UserToken> {
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
        expiresAt: token.expiresAt.toISOString(),
        timeZone,
      },
      tokenId: token.id,
      linkPath: '/password/reset',
    });
    return token;
  }

  /** A new token for this person (and partner), which replaces every older one still open. */
  /** Of these people invited to the partner, those whose latest invitation email was given up (never delivered). */
  async undeliveredInvitations(em: EntityManager, partnerId: string, userIds: string[]): Promise<Set<string>> {
    if (!userIds.length) return new Set();
    const tokens = await em.find(
      UserToken,
      { kind: 'invitation', partner: partnerId, user: { $in: userIds } },
      { fields: ['id', 'user', 'createdAt'], orderBy: { createdAt: 'desc', id: 'desc' } },
    );
    const latest = new Map<string, string>();
    for (const t of tokens) if (!latest.has(t.user.id)) latest.set(t.user.id, t.id);
    const dead = await this.outbox.givenUp(em, [...latest.values()]);
    return new Set([...latest].filter(([, tokenId]) => dead.has(tokenId)).map(([userId]) => userId));
  }

  async issue(em: EntityManager, kind: TokenKind, user: User, partner: Partner | null = null): Promise<UserToken> {
    const now = this.clock.now();
    const ttl = kind === 'invitation' ? this.config.tokens.invitationTtlMs : this.config.tokens.resetTtlMs;
    await em.nativeUpdate(UserToken, { user, kind, partner: partner ?? null, consumedAt: null }, { consumedAt: now });
    const token = new UserToken(kind, user, new Date(now.getTime() + ttl));
    token.partner = partner;
    em.persist(token);
    return token;
  }

  /**
   * The link's secret, for the mail worker building the email of token `tokenId`: derived from
   * the row (LinkTokens), so every build gives the same link, and its hash (re)stored while the
   * token is open. Null once the token was used or replaced: that email is not sent.
   */
  async linkSecret(em: EntityManager, tokenId: string): Promise<string | null> {
    const raw = this.links.rawFor(tokenId);
    const updated = await em.nativeUpdate(UserToken, { id: tokenId, consumedAt: null }, { tokenHash: hashToken(raw) });
    return updated === 1 ? raw : null;
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
