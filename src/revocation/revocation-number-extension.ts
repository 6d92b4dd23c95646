import { EntityManager } from '@mikro-orm/core';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import {
  NumberExtensions,
  type NumberExtension,
  type NumberNote,
  type NumberRef,
  type NumberRemoval,
  type NumberSection,
} from '../accounts/number-extensions.service';
import { longDate } from '../common/dates';
import type { CurrentMember } from '../common/http';
import { Sql } from '../database/sql';
import { Revocation } from './entities/revocation.entity';
import { readOpenRevocationDates } from './open-revocations.query';
import { readRemovedRevocation, type RemovedRevocation } from './removed-revocation.query';
import { dangerZone, requestedNumberIds, revocationNote } from './revocation.presenter';

/**
 * What revocation adds to the WhatsApp Accounts pages: the countdown line, the Danger Zone, and
 * why a number it removed left the hub.
 */
@Injectable()
export class RevocationNumberExtension implements NumberExtension, OnModuleInit {
  constructor(
    private readonly extensions: NumberExtensions,
    private readonly em: EntityManager,
    private readonly sql: Sql,
  ) {}

  onModuleInit(): void {
    this.extensions.register(this);
  }

  async notes(partnerId: string, numbers: readonly NumberRef[], now: Date): Promise<Map<string, NumberNote[]>> {
    const notes = new Map<string, NumberNote[]>();
    const ids = requestedNumberIds(numbers);
    if (!ids.length) return notes;
    for (const r of await readOpenRevocationDates(this.sql, partnerId, ids)) notes.set(r.numberId, [revocationNote(r, now)]);
    return notes;
  }

  async section(member: CurrentMember, number: NumberRef, now: Date): Promise<NumberSection> {
    // A number the partner pays for has no open revocation: nothing to read.
    const r =
      number.billingState === 'partner_paid'
        ? null
        : await this.em.fork().findOne(Revocation, { number: number.id, partner: member.partnerId, withdrawnAt: null });
    const revocation = r && {
      terminationDate: r.terminationDate,
      billingTimeZone: r.billingTimeZone,
      removeAt: r.removeAt,
      reason: r.reason ?? null,
    };
    return dangerZone(member, number, revocation, now);
  }

  async removal(partnerId: string, numberId: string): Promise<NumberRemoval | null> {
    const r = await readRemovedRevocation(this.sql, partnerId, numberId);
    return r && removalView(r);
  }
}

/** The person as they are now; else who asked as they were named then (an API key, a person deleted since). */
function requestedBy(r: RemovedRevocation): string {
  if (r.requester) return `${r.requester.name} (${r.requester.email})`;
  return r.requesterLabel ?? 'A user who has since been deleted';
}

/** The revocation behind a removal, in the terms of its Danger Zone. */
function removalView(r: RemovedRevocation): NumberRemoval {
  return {
    removedAt: r.removedAt,
    because: 'payment for it was revoked',
    facts: [
      { label: 'Termination date', text: `${longDate(r.terminationDate)} (end of day, ${r.billingTimeZone})` },
      { label: 'Billing to you ended', at: r.billingEndsAt, zone: r.billingTimeZone },
      { label: 'Requested by', text: requestedBy(r) },
      { label: 'Requested on', at: r.requestedAt },
      ...(r.reason ? [{ label: 'Reason', text: r.reason }] : []),
    ],
  };
}
