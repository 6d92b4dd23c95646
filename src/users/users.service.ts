import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/core';
import { Injectable, NotFoundException } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { SessionRecord } from '../auth/entities/session.entity';
import { TokensService } from '../auth/tokens.service';
import { Clock } from '../common/clock';
import type { CurrentMember, RequestOrigin } from '../common/http';
import type { ContractTerms } from '../partners/entities/contract-terms.embeddable';
import { Partner } from '../partners/entities/partner.entity';
import { PartnersService } from '../partners/partners.service';
import type { InviteUser } from './dto/invite-user.dto';
import { Membership, type Role } from '../auth/entities/membership.entity';
import { User } from '../auth/entities/user.entity';
import { RateLimiter, type Claim } from '../throttle';
import { UsersErrors } from './users.errors';
import { UsersLimits } from './users.throttles';

export interface TeamRow {
  id: string;
  name: string;
  email: string;
  role: Role;
  status: 'invited' | 'active';
  /** Invited, and the mail server never took the invitation: the owner should check the address. */
  undelivered: boolean;
  lastSignInAt: Date | null;
  invitedAt: Date;
  isSelf: boolean;
  /** The team's only active owner: neither made a member nor removed (the rule changeRole and remove enforce). */
  lastOwner: boolean;
}

export interface InvitationView {
  email: string;
  name: string;
  partnerName: string;
  hasPassword: boolean;
}

type Actor = { id: string; name: string; email: string } | null;

const actorOf = (m: CurrentMember): Actor => ({ id: m.userId, name: m.userName, email: m.email });

/**
 * The team of a partner: invitations, roles, removal. Every change runs in one transaction
 * with its audit event and its email; changes that count owners first lock the partner row,
 * so two owners demoting each other at once cannot leave the partner without one.
 */
@Injectable()
export class UsersService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly tokens: TokensService,
    private readonly audit: AuditService,
    private readonly partners: PartnersService,
    private readonly limiter: RateLimiter,
  ) {}

  async team(member: CurrentMember): Promise<TeamRow[]> {
    const em = this.em.fork();
    const memberships = await em.find(Membership, { partner: member.partnerId }, { populate: ['user'], orderBy: { createdAt: 'asc' } });
    // Whether an invited person signs in elsewhere is nothing this team learns from an invitation.
    const invited = memberships.filter((m) => !m.acceptedAt);
    const undelivered = await this.tokens.undeliveredInvitations(
      em,
      member.partnerId,
      invited.map((m) => m.user.id),
    );
    const rows = memberships.map((m) => ({
      id: m.id,
      name: teamName(m),
      email: m.user.email,
      role: m.role,
      status: m.acceptedAt ? ('active' as const) : ('invited' as const),
      undelivered: !m.acceptedAt && undelivered.has(m.user.id),
      lastSignInAt: m.acceptedAt ? (m.user.lastSignInAt ?? null) : null,
      invitedAt: m.createdAt,
      isSelf: m.user.id === member.userId,
    }));
    const activeOwners = rows.filter((r) => r.role === 'owner' && r.status === 'active');
    return rows
      .map((r) => ({ ...r, lastOwner: activeOwners.length === 1 && activeOwners[0].id === r.id }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.email.localeCompare(b.email));
  }

  /** One person of the team, as a confirmation page describes them. Another partner's id is a 404. */
  async teamMember(member: CurrentMember, membershipId: string): Promise<TeamRow> {
    const row = (await this.team(member)).find((r) => r.id === membershipId);
    if (!row) throw new NotFoundException();
    return row;
  }

  /** The operator's partner:create: the partner and its first owner's invitation, at once. */
  async createPartnerWithOwner(input: {
    name: string;
    terms: Partial<ContractTerms>;
    owner: { email: string; name: string };
  }): Promise<Partner> {
    return this.em.fork().transactional(async (tx) => {
      const partner = await this.partners.create(tx, input.name, input.terms);
      this.audit.record(tx, {
        action: 'partner.created',
        partnerId: partner.id,
        subjectType: 'partner',
        subjectId: partner.id,
        data: { name: partner.name },
      });
      await tx.flush();
      await this.inviteInto(tx, partner, { ...input.owner, role: 'owner' }, null);
      return partner;
    });
  }

  /**
   * An invitation to a partner: by an owner (actor, origin), counted against the email limits, or
   * by the operator (no request, no limit).
   */
  async invite(partnerId: string, input: InviteUser, actor: Actor, origin?: RequestOrigin): Promise<Membership> {
    const claims = origin ? await this.claimInvitation(origin, partnerId, input.email) : [];
    try {
      return await this.em.fork().transactional(async (tx) => {
        const partner = await tx.findOneOrFail(Partner, partnerId);
        return this.inviteInto(tx, partner, input, actor, origin);
      });
    } catch (err) {
      await this.limiter.refundAll(claims);
      // Two owners adding the same address at the same moment: the unique index decides.
      if (err instanceof UniqueConstraintViolationException) throw UsersErrors.alreadyOnTeam();
      throw err;
    }
  }

  /** One more invitation email from this partner to this address, or RateLimited. */
  private async claimInvitation(origin: RequestOrigin, partnerId: string, email: string): Promise<Claim[]> {
    const claims: Claim[] = [
      [UsersLimits.invitationsPerPartner, partnerId],
      [UsersLimits.invitationsPerAddress, email],
    ];
    await this.limiter.claimAll(origin, 'invitation', claims);
    return claims;
  }

  private async inviteInto(
    tx: EntityManager,
    partner: Partner,
    input: InviteUser,
    actor: Actor,
    origin?: RequestOrigin,
  ): Promise<Membership> {
    let user = await tx.findOne(User, { email: input.email }, { populate: ['passwordHash'] });
    if (user && (await tx.count(Membership, { partner, user }))) throw UsersErrors.alreadyOnTeam();
    if (!user) {
      user = new User(input.email, input.name);
      tx.persist(user);
    }
    const membership = new Membership(partner, user, input.role);
    membership.acceptedAt = null;
    membership.invitedBy = actor ? tx.getReference(User, actor.id) : null;
    membership.invitedName = input.name;
    tx.persist(membership);
    await tx.flush();
    await this.tokens.sendInvitation(tx, membership, { name: input.name, inviterName: actor?.name, hasPassword: !!user.passwordHash });
    this.audit.record(tx, {
      action: 'team.invited',
      partnerId: partner.id,
      actor,
      subjectType: 'membership',
      subjectId: membership.id,
      data: { name: input.name, email: input.email, role: input.role },
      origin: origin ?? null,
    });
    await tx.flush();
    return membership;
  }

  async resendInvitation(member: CurrentMember, membershipId: string, origin: RequestOrigin): Promise<Membership> {
    const invited = await this.find(this.em.fork(), member.partnerId, membershipId);
    const claims = await this.claimInvitation(origin, member.partnerId, invited.user.email);
    return this.em
      .fork()
      .transactional(async (tx) => {
        const m = await this.find(tx, member.partnerId, membershipId);
        if (m.acceptedAt) throw UsersErrors.notInvited();
        const name = teamName(m);
        const withHash = await tx.findOneOrFail(User, m.user.id, { populate: ['passwordHash'] });
        await this.tokens.sendInvitation(tx, m, { name, inviterName: member.userName, hasPassword: !!withHash.passwordHash });
        this.record(tx, member, 'team.invitation_resent', m, { email: m.user.email, name }, origin);
        return m;
      })
      .catch(async (err: unknown) => {
        await this.limiter.refundAll(claims);
        throw err;
      });
  }

  async revokeInvitation(member: CurrentMember, membershipId: string, origin: RequestOrigin): Promise<Membership> {
    return this.em.fork().transactional(async (tx) => {
      const m = await this.find(tx, member.partnerId, membershipId);
      if (m.acceptedAt) throw UsersErrors.notInvited();
      await this.tokens.revoke(tx, 'invitation', m.user.id, member.partnerId);
      const name = teamName(m);
      this.record(tx, member, 'team.invitation_revoked', m, { email: m.user.email, name }, origin);
      await tx.nativeDelete(Membership, { id: m.id });
      return m;
    });
  }

  async changeRole(member: CurrentMember, membershipId: string, role: Role, origin: RequestOrigin): Promise<Membership> {
    return this.em.fork().transactional(async (tx) => {
      await this.lockPartner(tx, member.partnerId);
      const m = await this.find(tx, member.partnerId, membershipId);
      if (m.role === role) return m;
      if (m.role === 'owner' && m.acceptedAt && (await this.otherActiveOwners(tx, member.partnerId, m.id)) === 0) {
        throw UsersErrors.lastOwner();
      }
      const from = m.role;
      await tx.nativeUpdate(Membership, { id: m.id }, { role, updatedAt: this.clock.now() });
      const name = teamName(m);
      this.record(tx, member, 'team.role_changed', m, { email: m.user.email, name, from, to: role }, origin);
      return m;
    });
  }

  /** Removes someone from this partner; every session of theirs ends at once. */
  async remove(member: CurrentMember, membershipId: string, origin: RequestOrigin): Promise<Membership> {
    return this.em.fork().transactional(async (tx) => {
      await this.lockPartner(tx, member.partnerId);
      const m = await this.find(tx, member.partnerId, membershipId);
      if (m.role === 'owner' && m.acceptedAt && (await this.otherActiveOwners(tx, member.partnerId, m.id)) === 0) {
        throw UsersErrors.lastOwner();
      }
      await this.tokens.revoke(tx, 'invitation', m.user.id, member.partnerId);
      const name = teamName(m);
      this.record(tx, member, 'team.removed', m, { email: m.user.email, name, role: m.role }, origin);
      await tx.nativeDelete(Membership, { id: m.id });
      // Sessions are not tied to one partner: ending them all is the safe reading of "at once".
      await tx.nativeDelete(SessionRecord, { userId: m.user.id });
      return m;
    });
  }

  /** What the Create Password page shows for a usable invitation, or null. */
  async describeInvitation(hash: string): Promise<InvitationView | null> {
    const em = this.em.fork();
    const token = await this.tokens.findUsable(em, 'invitation', hash);
    if (!token?.partner) return null;
    const m = await em.findOne(Membership, { partner: token.partner, user: token.user, acceptedAt: null });
    if (!m) return null;
    const user = await em.findOneOrFail(User, token.user.id, { populate: ['passwordHash'] });
    // The name this team typed: a name another team typed first is not this one's to show.
    const name = teamName(m);
    return { email: user.email, name, partnerName: token.partner.name, hasPassword: !!user.passwordHash };
  }

  /**
   * Accepts an invitation once. A person new to the hub sets a password (hashed before the
   * transaction) and their own name; a person who already has a password keeps it, and their
   * name. No sign-in happens here.
   */
  async acceptInvitation(
    hash: string,
    newcomer: { passwordHash: string; name: string } | null,
    origin: RequestOrigin,
  ): Promise<{ partnerName: string }> {
    return this.em.fork().transactional(async (tx) => {
      const token = await this.tokens.consume(tx, 'invitation', hash);
      if (!token?.partner) throw UsersErrors.linkInvalid();
      const m = await tx.findOne(
        Membership,
        { partner: token.partner, user: token.user, acceptedAt: null },
        { populate: ['user', 'partner'] },
      );
      if (!m) throw UsersErrors.linkInvalid();
      const user = await tx.findOneOrFail(User, m.user.id, { populate: ['passwordHash'] });
      const now = this.clock.now();
      let name = user.name;
      if (!user.passwordHash) {
        if (!newcomer) throw UsersErrors.passwordRequired();
        ({ name } = newcomer);
        await tx.nativeUpdate(User, { id: user.id }, { passwordHash: newcomer.passwordHash, name, passwordChangedAt: now, updatedAt: now });
      }
      await tx.nativeUpdate(Membership, { id: m.id }, { acceptedAt: now, invitedName: null, updatedAt: now });
      this.audit.record(tx, {
        action: 'team.joined',
        partnerId: m.partner.id,
        actor: { id: user.id, name, email: user.email },
        subjectType: 'membership',
        subjectId: m.id,
        data: { role: m.role },
        origin,
      });
      return { partnerName: m.partner.name };
    });
  }

  private async find(tx: EntityManager, partnerId: string, membershipId: string): Promise<Membership> {
    // Scoped by the partner of the session: another partner's id is simply not found.
    const m = await tx.findOne(Membership, { id: membershipId, partner: partnerId }, { populate: ['user', 'partner'] });
    if (!m) throw new NotFoundException();
    return m;
  }

  private otherActiveOwners(tx: EntityManager, partnerId: string, exceptId: string): Promise<number> {
    return tx.count(Membership, { partner: partnerId, role: 'owner', acceptedAt: { $ne: null }, id: { $ne: exceptId } });
  }

  /** A write to the partner row: PostgreSQL locks it until commit, SQLite serialises writers. */
  private async lockPartner(tx: EntityManager, partnerId: string): Promise<void> {
    await tx.nativeUpdate(Partner, { id: partnerId }, { updatedAt: this.clock.now() });
  }

  private record(
    tx: EntityManager,
    member: CurrentMember,
    action: string,
    m: Membership,
    data: Record<string, unknown>,
    origin: RequestOrigin,
  ) {
    this.audit.record(tx, {
      action,
      partnerId: member.partnerId,
      actor: actorOf(member),
      subjectType: 'membership',
      subjectId: m.id,
      data,
      origin,
    });
  }
}

/**
 * A person as this team knows them: a member by their name, an invited person by the name the
 * inviter typed (their name elsewhere is not this team's to learn). Activity's sentences say it.
 */
function teamName(m: Membership): string {
  return m.acceptedAt ? m.user.name : (m.invitedName ?? m.user.name);
}
