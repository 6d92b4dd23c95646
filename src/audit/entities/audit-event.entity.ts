import { Entity, Index, ManyToOne, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../database/base.entity';
import { Partner } from '../../partners/entities/partner.entity';
import { User } from '../../users/entities/user.entity';

/** Append-only record of who did what, when, from where. Never updated, never deleted. */
@Entity()
@Index({ properties: ['partner', 'createdAt', 'id'] })
@Index({ properties: ['partner', 'action', 'createdAt'] })
@Index({ properties: ['actor', 'action', 'createdAt'] })
export class AuditEvent extends BaseEntity<'partner' | 'actor' | 'subjectType' | 'subjectId' | 'data' | 'ip' | 'requestId'> {
  @ManyToOne(() => Partner, { nullable: true, deleteRule: 'cascade' })
  partner?: Partner | null;

  /** Null for the system (operator command, scheduled job). */
  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' })
  actor?: User | null;

  /** The actor as shown, kept even if the user is later deleted. */
  @Property({ type: 'string', length: 300 })
  actorLabel: string;

  @Property({ type: 'string', length: 64 })
  action: string;

  @Property({ type: 'string', length: 32, nullable: true })
  subjectType?: string | null;

  @Property({ type: 'string', length: 64, nullable: true })
  subjectId?: string | null;

  @Property({ type: 'json', nullable: true })
  data?: Record<string, unknown> | null;

  @Property({ type: 'string', length: 64, nullable: true })
  ip?: string | null;

  @Property({ type: 'string', length: 64, nullable: true })
  requestId?: string | null;

  constructor(action: string, actorLabel: string) {
    super();
    this.action = action;
    this.actorLabel = actorLabel;
  }
}
