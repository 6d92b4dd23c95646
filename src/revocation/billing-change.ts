import type { EntityManager } from '@mikro-orm/core';
import { NumberStatusChange, type ChangeSource } from '../accounts/entities/number-status-change.entity';
import { WhatsappNumber } from '../accounts/entities/whatsapp-number.entity';
import { Partner } from '../partners/entities/partner.entity';
import type { BillingState } from '../statuses';

/** A billing change of a number's history, effective at `changedAt`. */
export function billingChange(
  em: EntityManager,
  partnerId: string,
  numberId: string,
  from: BillingState,
  to: BillingState,
  source: ChangeSource,
  changedAt: Date,
): NumberStatusChange {
  return new NumberStatusChange({
    partner: em.getReference(Partner, partnerId),
    number: em.getReference(WhatsappNumber, numberId),
    family: 'billing',
    fromValue: from,
    toValue: to,
    source,
    changedAt,
  });
}
