import { Entity, Index, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../database/base.entity';

/**
 * Append-only record of who did what, when, from where. Never updated, never deleted. The
 * partner and the actor are plain ids, not foreign keys: the audit trail is core and knows no
 * feature's table, and a record keeps the id of whoever acted even if they were gone.
 */
@Entity()
@Index({ properties: ['partnerId', 'createdAt', 'id'] })
@Index({ properties: ['partnerId', 'action', 'createdAt'] })
@Index({ properties: ['actorId', 'action', 'createdAt'] })
export class AuditEvent extends BaseEntity<'partnerId' | 'actorId' | 'subjectType' | 'subjectId' | 'data' | 'ip' | 'requestId'> {
  @Property({ type: 'string', length: 22, nullable: true })
  partnerId?: string | null;

  /** Null for the system (operator command, scheduled job). */
  @Property({ type: 'string', length: 22, nullable: true })
  actorId?: string | null;

  /** The actor as shown, kept even if the user is later deleted: "Name <email>", up to 457 characters. */
  @Property({ type: 'text' })
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
