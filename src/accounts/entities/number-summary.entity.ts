import { Entity, Index, ManyToOne, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../database/base.entity';
import { Partner } from '../../partners/entities/partner.entity';

/**
 * A partner's summary counts, as last counted (NumberSummaries): what the list page shows
 * without counting 100,000 numbers per view. Written with hand-written SQL
 * (number-summary.query.ts); the entity gives the table its schema.
 */
@Entity({ tableName: 'number_summary' })
export class NumberSummary extends BaseEntity {
  @ManyToOne(() => Partner, { deleteRule: 'cascade', unique: true })
  partner: Partner;

  /** Numbers per lifecycle status, removed numbers left out: a JSON object. */
  @Property({ type: 'text' })
  byStatus: string;

  @Property({ type: 'integer' })
  total: number;

  @Property({ type: 'integer' })
  attention: number;

  /** Counted up by each change to the partner's numbers: a recount that saw another value leaves the row due. */
  @Property({ type: 'integer' })
  changes: number;

  /** When the counts are due for a recount by the jobs process: a change, or a pending number turning into attention. */
  @Property({ type: 'datetime', nullable: true })
  @Index()
  recountAt: Date | null;

  constructor(init: Pick<NumberSummary, 'partner' | 'byStatus' | 'total' | 'attention' | 'changes' | 'recountAt'>) {
    super();
    this.partner = init.partner;
    this.byStatus = init.byStatus;
    this.total = init.total;
    this.attention = init.attention;
    this.changes = init.changes;
    this.recountAt = init.recountAt;
  }
}
