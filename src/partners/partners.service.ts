import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { ContractTerms } from './entities/contract-terms.embeddable';
import { Partner } from './entities/partner.entity';

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

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

@Injectable()
export class PartnersService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
  ) {}

  /** Creates a partner with a unique slug and the given (or default) contract terms. */
  async create(em: EntityManager, name: string, terms: Partial<ContractTerms> = {}): Promise<Partner> {
    const base = slugify(name);
    let slug = base;
    for (let i = 2; await em.count(Partner, { slug }); i++) slug = `${base}-${i}`;
    const partner = new Partner(name, slug);
    partner.createdAt = partner.updatedAt = this.clock.now();
    Object.assign(partner.terms, terms);
    if (!isTimeZone(partner.terms.billingTimeZone)) {
      throw new DomainError('partner.time_zone', `Unknown time zone "${partner.terms.billingTimeZone}".`);
    }
    em.persist(partner);
    return partner;
  }

  async findByIdOrSlug(idOrSlug: string): Promise<Partner | null> {
    return this.em.fork().findOne(Partner, { $or: [{ id: idOrSlug }, { slug: idOrSlug }] });
  }
}
