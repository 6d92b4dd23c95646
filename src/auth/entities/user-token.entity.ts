import { Entity, Enum, Index, ManyToOne, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../database/base.entity';
import { Partner } from '../../partners/entities/partner.entity';
import { User } from './user.entity';

export type TokenKind = 'invitation' | 'password_reset';

/**
 * An invitation or password-reset link. The raw token exists only in the email: it is made
 * when the mail worker builds the message (TokensService.linkSecret), and only its SHA-256
 * hash is stored here.
 */
@Entity()
@Index({ properties: ['user', 'kind'] })
export class UserToken extends BaseEntity<'tokenHash' | 'consumedAt' | 'partner'> {
  @Enum({ items: ['invitation', 'password_reset'], type: 'string' })
  kind: TokenKind;

  @ManyToOne(() => User, { deleteRule: 'cascade' })
  user: User;

  /** The partner an invitation is for; null for a password reset. */
  @ManyToOne(() => Partner, { nullable: true, deleteRule: 'cascade' })
  partner?: Partner | null;

  @Unique()
  @Property({ type: 'string', length: 64, nullable: true, hidden: true })
  tokenHash?: string | null;

  @Property({ type: 'datetime' })
  expiresAt: Date;

  @Property({ type: 'datetime', nullable: true })
  consumedAt?: Date | null;

  constructor(kind: TokenKind, user: User, expiresAt: Date) {
    super();
    this.kind = kind;
    this.user = user;
    this.expiresAt = expiresAt;
  }
}
