import { Embedded, Entity, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../database/base.entity';
import { ContractTerms } from './contract-terms.embeddable';

@Entity()
export class Partner extends BaseEntity<'terms'> {
  @Property({ type: 'string', length: 200 })
  name: string;

  @Unique()
  @Property({ type: 'string', length: 80 })
  slug: string;

  @Embedded({ entity: () => ContractTerms, prefix: 'terms_' })
  terms: ContractTerms = new ContractTerms();

  constructor(name: string, slug: string) {
    super();
    this.name = name;
    this.slug = slug;
  }
}
