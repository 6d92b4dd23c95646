import type { EntityManager } from '@mikro-orm/core';
import { hashPassword } from '../../src/auth/passwords';
import { Partner } from '../../src/partners/entities/partner.entity';
import type { ContractTerms } from '../../src/partners/entities/contract-terms.embeddable';
import { Membership, type Role } from '../../src/auth/entities/membership.entity';
import { User } from '../../src/auth/entities/user.entity';

// A random start, then one by one: unique within a test process (a random number per call
// collided once a test made a few thousand numbers).
let seq = Math.floor(Math.random() * 1e6);
const next = () => ++seq;

export const DEFAULT_PASSWORD = 'correct horse battery staple';

export async function createPartner(
  em: EntityManager,
  overrides: { name?: string; terms?: Partial<ContractTerms> } = {},
): Promise<Partner> {
  const n = next();
  const partner = new Partner(overrides.name ?? `Partner ${n}`, `partner-${n}`);
  Object.assign(partner.terms, overrides.terms ?? {});
  await em.persist(partner).flush();
  return partner;
}

export interface MemberFixture {
  user: User;
  membership: Membership;
  email: string;
  password: string;
}

/**
 * A person on a partner's team. By default an active owner with a password; `accepted: false`
 * makes an invitation not yet accepted (no password).
 */
export async function createMember(
  em: EntityManager,
  partner: Partner,
  overrides: { email?: string; name?: string; role?: Role; accepted?: boolean; password?: string; user?: User } = {},
): Promise<MemberFixture> {
  const n = next();
  const email = overrides.user?.email ?? overrides.email ?? `person${n}@example.com`;
  const password = overrides.password ?? DEFAULT_PASSWORD;
  const user = overrides.user ?? new User(email, overrides.name ?? `Person ${n}`);
  const accepted = overrides.accepted ?? true;
  if (accepted && !overrides.user) user.passwordHash = await hashPassword(password);
  const membership = new Membership(partner, user, overrides.role ?? 'owner');
  membership.acceptedAt = accepted ? new Date() : null;
  await em.persist([user, membership]).flush();
  return { user, membership, email, password };
}
