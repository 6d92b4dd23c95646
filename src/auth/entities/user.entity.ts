import { Entity, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../database/base.entity';

/** One login per email; a user may belong to several partners through memberships. */
@Entity()
export class User extends BaseEntity<'passwordHash' | 'disabledAt' | 'lastSignInAt' | 'passwordChangedAt' | 'timeZone'> {
  @Unique()
  @Property({ type: 'string', length: 254 })
  email: string;

  @Property({ type: 'string', length: 200 })
  name: string;

  /** Null until the person accepts an invitation and creates a password. */
  @Property({ type: 'string', length: 100, nullable: true, hidden: true, lazy: true })
  passwordHash?: string | null;

  @Property({ type: 'datetime', nullable: true })
  disabledAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  lastSignInAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  passwordChangedAt?: Date | null;

  /** The IANA zone the person reads times in; null follows their partner's billing time zone. */
  @Property({ type: 'string', length: 64, nullable: true })
  timeZone?: string | null;

  constructor(email: string, name: string) {
    super();
    this.email = email;
    this.name = name;
  }
}
