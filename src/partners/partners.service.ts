import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/domain-error';
import { ContractTerms } from './entities/contract-terms.embeddable';
import { Partner } from './entities/partner.entity';
import { canonicalTimeZone, isTimeZone } from '../common/time-zones';

export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return slug || 'partner';
}

/** A billing time zone as stored: the runtime's spelling ("europe/berlin" is "Europe/Berlin"); an unknown one is refused. */
function billingZone(zone: string): string {
  if (!isTimeZone(zone)) throw new DomainError('partner.time_zone', `Unknown time zone "${zone}".`);
  return canonicalTimeZone(zone);
}

@Injectable()
export class PartnersService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
  ) {}

  /** Creates a partner with a unique slug and the given (or default) contract terms. */
  async create(em: EntityManager, name: string, terms: Partial<ContractTerms> = {}): Promise<Partner> {
    const base = slugify(name);
    let slug = base;
    for (let i = 2; await em.count(Partner, { slug }); i++) slug = `${base}-${i}`;
    const partner = new Partner(name, slug);
    Object.assign(partner.terms, terms);
    partner.terms.billingTimeZone = billingZone(partner.terms.billingTimeZone);
    em.persist(partner);
    return partner;
  }

  async findByIdOrSlug(idOrSlug: string): Promise<Partner | null> {
    return this.em.fork().findOne(Partner, { $or: [{ id: idOrSlug }, { slug: idOrSlug }] });
  }

  /**
   * Sets a partner's contract terms (operator command); null for an unknown partner.
   * Revocations already requested keep the copy of the terms they were made with.
   */
  async setTerms(partnerIdOrSlug: string, change: Partial<ContractTerms>): Promise<Partner | null> {
    if (change.billingTimeZone !== undefined) change = { ...change, billingTimeZone: billingZone(change.billingTimeZone) };
    return this.em.fork().transactional(async (tx) => {
      const partner = await tx.findOne(Partner, { $or: [{ id: partnerIdOrSlug }, { slug: partnerIdOrSlug }] });
      if (!partner) return null;
      const before = { ...partner.terms };
      Object.assign(partner.terms, change);
      this.audit.record(tx, {
        action: 'partner.terms_changed',
        partnerId: partner.id,
        subjectType: 'partner',
        subjectId: partner.id,
        data: { before, after: { ...partner.terms } },
      });
      return partner;
    });
  }
}
