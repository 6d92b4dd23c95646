import type { EntityManager } from '@mikro-orm/core';
import { WhatsappNumber } from '../../src/accounts/entities/whatsapp-number.entity';
import { searchTextFor } from '../../src/accounts/search-text';
import type { Partner } from '../../src/partners/entities/partner.entity';
import { Revocation } from '../../src/revocation/entities/revocation.entity';
import { revocationSchedule } from '../../src/revocation/termination-date';
import { createNumber } from './accounts';

/**
 * `count` numbers of one client, each with an open revocation requested at `requestedAt`
 * under the partner's terms, written in chunks so that 10,000 take seconds and bounded
 * memory. Returns the revocation ids. Any `now` past the last `removeAt` makes all of them
 * due for both transitions.
 */
export async function createRevocations(
  em: EntityManager,
  partner: Partner,
  count: number,
  requestedAt: Date,
  options: { chunk?: number; contactEmail?: string } = {},
): Promise<string[]> {
  const chunk = options.chunk ?? 1000;
  const first = await createNumber(em, partner, { client: { contactEmail: options.contactEmail ?? 'billing@client.example' } });
  const schedule = revocationSchedule(requestedAt, partner.terms);
  const ids: string[] = [];
  for (let done = 0; done < count; done += chunk) {
    const fork = em.fork();
    const client = fork.getReference('Client', first.client.id);
    const waba = fork.getReference('WabaAccount', first.wabaAccount.id);
    const numbers: WhatsappNumber[] = [];
    for (let i = done; i < Math.min(count, done + chunk); i++) {
      const phoneNumber = `+4916${String(i).padStart(9, '0')}`;
      const number =
        i === 0
          ? fork.getReference(WhatsappNumber, first.id)
          : new WhatsappNumber({
              partner: fork.getReference('Partner', partner.id) as Partner,
              client: client as never,
              wabaAccount: waba as never,
              providerId: `RV${first.id.slice(0, 8)}${i}`,
              externalId: String(900_000_000_000 + i),
              phoneNumber,
              providerCreatedAt: requestedAt,
              clientName: first.clientName,
              searchText: searchTextFor({ phoneNumber, clientName: first.clientName, ids: [] }),
            });
      number.billingState = 'revocation_requested';
      numbers.push(number);
    }
    fork.persist(numbers.filter((n) => n.id !== first.id));
    await fork.flush();
    if (done === 0) await fork.nativeUpdate(WhatsappNumber, { id: first.id }, { billingState: 'revocation_requested' });
    const revocations = numbers.map((number) => {
      const r = new Revocation({
        partner: fork.getReference('Partner', partner.id) as Partner,
        number,
        requestedBy: null,
        requestedAt,
        ...schedule,
        noticeDays: partner.terms.noticeDays,
        alignment: partner.terms.alignment,
        removalGraceDays: partner.terms.removalGraceDays,
        billingTimeZone: partner.terms.billingTimeZone,
      });
      r.createdAt = r.updatedAt = requestedAt;
      return r;
    });
    fork.persist(revocations);
    await fork.flush();
    ids.push(...revocations.map((r) => r.id));
  }
  return ids;
}

/** An open payment revocation on a number, ending on `terminationDate`. */
export async function createRevocation(
  em: EntityManager,
  partner: Partner,
  number: WhatsappNumber,
  terminationDate: string,
  o: { withdrawnAt?: Date } = {},
): Promise<Revocation> {
  const billingEndsAt = new Date(`${terminationDate}T00:00:00Z`);
  billingEndsAt.setUTCDate(billingEndsAt.getUTCDate() + 1);
  const revocation = new Revocation({
    partner,
    number: em.getReference(WhatsappNumber, number.id),
    requestedBy: null,
    requestedAt: new Date(),
    terminationDate,
    billingEndsAt,
    removeAt: new Date(billingEndsAt.getTime() + 14 * 86_400_000),
    noticeDays: 30,
    alignment: 'none',
    removalGraceDays: 14,
    billingTimeZone: 'UTC',
  });
  if (o.withdrawnAt) revocation.withdrawnAt = o.withdrawnAt;
  await em.persist(revocation).flush();
  if (!o.withdrawnAt) {
    await em.nativeUpdate(WhatsappNumber, { id: number.id }, { billingState: 'revocation_requested' });
  }
  return revocation;
}
