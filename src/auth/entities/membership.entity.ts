import { Entity, Enum, Index, ManyToOne, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../database/base.entity';
import { Partner } from '../../partners/entities/partner.entity';
import { User } from './user.entity';

export type Role = 'owner' | 'member';
export const ROLES: readonly Role[] = ['owner', 'member'];

/** A person on a partner's team. Invited until `acceptedAt` is set; deleted when removed. */
@Entity()
@Unique({ properties: ['partner', 'user'] })
@Index({ properties: ['user'] })
export class Membership extends BaseEntity<'acceptedAt' | 'invitedBy' | 'invitedName'> {
  @ManyToOne(() => Partner, { deleteRule: 'cascade' })
  partner: Partner;

  @ManyToOne(() => User, { deleteRule: 'cascade' })
  user: User;

  @Enum({ items: ['owner', 'member'], type: 'string' })
  role: Role;

  @Property({ type: 'datetime', nullable: true })
  acceptedAt?: Date | null;

  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' })
  invitedBy?: User | null;

  /**
   * The name the inviter typed, which this team knows the invited person by until they accept
   * (their name elsewhere is not this team's to learn); cleared then, their own name taking over.
   */
  @Property({ type: 'string', length: 200, nullable: true })
  invitedName?: string | null;

  constructor(partner: Partner, user: User, role: Role) {
    super();
    this.partner = partner;
    this.user = user;
    this.role = role;
  }
}
