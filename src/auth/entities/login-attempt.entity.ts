import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../database/ids';

/** A failed sign-in, kept in the database so every instance throttles alike. */
@Entity()
@Index({ properties: ['ip', 'createdAt'] })
@Index({ properties: ['email', 'ip', 'createdAt'] })
export class LoginAttempt {
  @PrimaryKey({ type: 'string', length: 22 })
  id: string = newId();

  @Property({ type: 'string', length: 254 })
  email: string;

  @Property({ type: 'string', length: 64 })
  ip: string;

  @Property({ type: 'datetime' })
  createdAt: Date;

  constructor(email: string, ip: string, createdAt: Date) {
    this.email = email;
    this.ip = ip;
    this.createdAt = createdAt;
  }
}
