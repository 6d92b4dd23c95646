import { Embeddable, Enum, Property } from '@mikro-orm/core';

export type Alignment = 'none' | 'end_of_month';

/** The revocation terms of a partner's contract, set by the operator. */
@Embeddable()
export class ContractTerms {
  @Property({ type: 'integer' })
  noticeDays: number = 30;

  @Enum({ items: ['none', 'end_of_month'], type: 'string' })
  alignment: Alignment = 'none';

  @Property({ type: 'integer' })
  removalGraceDays: number = 14;

  @Property({ type: 'string', length: 64 })
  billingTimeZone: string = 'UTC';
}
