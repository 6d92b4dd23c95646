import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** A browser session, shared by every app instance. Holds the user id and the CSRF secret. */
@Entity({ tableName: 'session' })
@Index({ properties: ['userId'] })
@Index({ properties: ['expiresAt'] })
export class SessionRecord {
  @PrimaryKey({ type: 'string', length: 64 })
  sid: string;

  @Property({ type: 'string', length: 22, nullable: true })
  userId?: string | null;

  @Property({ type: 'text' })
  data: string;

  /** Idle expiry, pushed forward on each request. */
  @Property({ type: 'datetime' })
  expiresAt: Date;

  /** Hard limit from sign-in, never pushed forward. */
  @Property({ type: 'datetime' })
  absoluteExpiresAt: Date;

  constructor(sid: string, data: string, expiresAt: Date, absoluteExpiresAt: Date) {
    this.sid = sid;
    this.data = data;
    this.expiresAt = expiresAt;
    this.absoluteExpiresAt = absoluteExpiresAt;
  }
}
