import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import type { Static } from '@sinclair/typebox';
import { Revocation } from '../revocation/entities/revocation.entity';
import type { Revocation as RevocationSchema } from './schemas';

/**
 * The open revocation of a number, as the API shows it. It reads revocation's entity (its
 * public surface) the way its own page section does; a method of RevocationRequests that
 * answers the same would take its place.
 */
@Injectable()
export class NumberRevocations {
  constructor(private readonly em: EntityManager) {}

  async open(partnerId: string, number: { id: string; billingState: string }): Promise<Static<typeof RevocationSchema> | null> {
    // A number the partner pays for has none open.
    if (number.billingState === 'partner_paid') return null;
    const r = await this.em.fork().findOne(Revocation, { number: number.id, partner: partnerId, withdrawnAt: null });
    return (
      r && {
        requested_at: r.requestedAt.toISOString(),
        termination_date: r.terminationDate,
        billing_time_zone: r.billingTimeZone,
        billing_ends_at: r.billingEndsAt.toISOString(),
        remove_at: r.removeAt.toISOString(),
        reason: r.reason ?? null,
      }
    );
  }
}
