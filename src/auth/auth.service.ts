import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import type { CurrentMember } from '../common/http';
import { Membership } from '../users/entities/membership.entity';
import { User } from '../users/entities/user.entity';
import { passwordTooLong, verifyPassword } from './passwords';

export interface MemberContext {
  member: CurrentMember;
  memberships: { partnerId: string; partnerName: string }[];
}

@Injectable()
export class AuthService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
  ) {}

  /**
   * The user for these credentials, or null. Unknown email, wrong password, an invitation not
   * yet accepted, a disabled user and a user with no partner left all fail alike, and every
   * path runs one bcrypt comparison so that timing tells nothing either.
   */
  async verifyCredentials(email: string, password: string): Promise<User | null> {
    const em = this.em.fork();
    const user = await em.findOne(User, { email: email.trim().toLowerCase() }, { populate: ['passwordHash'] });
    const tooLong = passwordTooLong(password);
    const ok = await verifyPassword(tooLong ? '' : password, user?.passwordHash);
    if (!user || !ok || tooLong || user.disabledAt) return null;
    const active = await em.count(Membership, { user, acceptedAt: { $ne: null } });
    if (active === 0) return null;
    await em.nativeUpdate(User, { id: user.id }, { lastSignInAt: this.clock.now() });
    return user;
  }

  /**
   * Reloads the user and the memberships on every request, so that a removed membership or a
   * disabled user is out at once. Returns null when the session no longer grants access.
   */
  async loadMember(userId: string, preferredPartnerId?: string): Promise<MemberContext | null> {
    const em = this.em.fork();
    const memberships = await em.find(
      Membership,
      { user: { id: userId, disabledAt: null }, acceptedAt: { $ne: null } },
      { populate: ['partner', 'user'], orderBy: { partner: { name: 'asc' } } },
    );
    if (memberships.length === 0) return null;
    const current = memberships.find((m) => m.partner.id === preferredPartnerId) ?? memberships[0];
    return {
      member: {
        userId: current.user.id,
        userName: current.user.name,
        email: current.user.email,
        partnerId: current.partner.id,
        partnerName: current.partner.name,
        partnerSlug: current.partner.slug,
        role: current.role,
        membershipId: current.id,
      },
      memberships: memberships.map((m) => ({ partnerId: m.partner.id, partnerName: m.partner.name })),
    };
  }
}
