import type { Static } from '@sinclair/typebox';
import { attentionReasons, metaTimezoneName, type NumberRow } from '../accounts';
import type { AccountsSummary, ClientRow, ClientWabaRow, StatusChangeRow } from '../accounts/accounts.service';
import { localDate } from '../common/dates';
import type { Revocation as RevocationEntity } from '../revocation/entities/revocation.entity';
import { FAMILIES, FAMILY_KEYS, familyStatuses, familyValues, statusDef, type FamilyKey } from '../statuses';
import {
  apiFamily,
  type Client,
  type ClientDetail,
  type HistoryEntry,
  type NumberDetail,
  type NumberSchema,
  type Revocation,
} from './schemas';

/** Turns the accounts' rows into the API's snake_case objects; statuses as `{ code, label }`. */

const status = (family: FamilyKey, code: string) => ({ code, label: statusDef(family, code)?.label ?? code });

export function numberJson(n: NumberRow, now: Date): Static<typeof NumberSchema> {
  const reasons = attentionReasons(n, now);
  return {
    id: n.id,
    provider_id: n.providerId,
    external_id: n.externalId,
    phone_number: n.phoneNumber,
    display_name: n.displayName,
    account_mode: n.accountMode,
    registration_method: n.registrationMethod,
    ivr: n.ivr,
    statuses: {
      lifecycle: status('lifecycle', n.status),
      registration: status('registration', n.registrationStatus),
      billing: status('billing', n.billingState),
      quality: status('quality', n.qualityRating),
      tier: status('tier', n.messagingTier),
      consent: status('consent', n.client.consentStatus),
    } as Static<typeof NumberSchema>['statuses'],
    status_changed_at: n.statusChangedAt.toISOString(),
    created_at: n.providerCreatedAt.toISOString(),
    needs_attention: reasons.length > 0,
    attention_reasons: reasons,
    client: { id: n.client.id, provider_id: n.client.providerId, name: n.client.name },
    waba_account: {
      id: n.waba.id,
      provider_id: n.waba.providerId,
      external_id: n.waba.externalId,
      namespace: n.waba.namespace,
      timezone_id: n.waba.timezoneId,
      timezone: metaTimezoneName(n.waba.timezoneId) ?? null,
      statuses: {
        waba: status('waba', n.waba.status),
        verification: status('verification', n.waba.businessVerificationStatus),
        on_behalf: status('onBehalf', n.waba.messageOnBehalfStatus),
      } as Static<typeof NumberSchema>['waba_account']['statuses'],
    },
  };
}

export function numberDetailJson(n: NumberRow, now: Date, revocation: Static<typeof Revocation> | null): Static<typeof NumberDetail> {
  return {
    ...numberJson(n, now),
    client: { id: n.client.id, provider_id: n.client.providerId, name: n.client.name, contact_email: n.client.contactEmail },
    revocation,
  };
}

/** A revocation, open or about to be (a dry run's, not stored). */
export function revocationJson(
  r: Pick<RevocationEntity, 'requestedAt' | 'terminationDate' | 'billingTimeZone' | 'billingEndsAt' | 'removeAt' | 'reason'>,
): Static<typeof Revocation> {
  return {
    requested_at: r.requestedAt.toISOString(),
    termination_date: r.terminationDate,
    billing_time_zone: r.billingTimeZone,
    billing_ends_at: r.billingEndsAt.toISOString(),
    remove_at: r.removeAt.toISOString(),
    removal_date: localDate(r.removeAt, r.billingTimeZone),
    reason: r.reason ?? null,
  };
}

export function historyJson(c: StatusChangeRow): Static<typeof HistoryEntry> {
  return {
    family: apiFamily(c.family) as Static<typeof HistoryEntry>['family'],
    from: c.fromValue ? status(c.family, c.fromValue) : null,
    to: status(c.family, c.toValue),
    source: c.source,
    changed_at: c.changedAt.toISOString(),
  };
}

export function clientJson(c: ClientRow): Static<typeof Client> {
  return {
    id: c.id,
    provider_id: c.providerId,
    name: c.name,
    contact_email: c.contactEmail,
    consent: status('consent', c.consentStatus) as Static<typeof Client>['consent'],
  };
}

export function clientDetailJson(c: ClientRow, wabas: ClientWabaRow[]): Static<typeof ClientDetail> {
  return {
    ...clientJson(c),
    waba_accounts: wabas.map((w) => ({
      id: w.id,
      provider_id: w.providerId,
      external_id: w.externalId,
      namespace: w.namespace,
      statuses: {
        waba: status('waba', w.status),
        verification: status('verification', w.businessVerificationStatus),
        on_behalf: status('onBehalf', w.messageOnBehalfStatus),
      } as Static<typeof ClientDetail>['waba_accounts'][number]['statuses'],
      numbers: w.numbers,
    })),
  };
}

/** The partner's counts: the number statuses that have numbers, in the catalogue's order. */
export function summaryJson(summary: AccountsSummary) {
  const byStatus = familyValues('lifecycle')
    .filter((code) => summary.byStatus[code])
    .map((code) => ({ code, label: statusDef('lifecycle', code)!.label, count: summary.byStatus[code] }));
  return { total: summary.total, attention: summary.attention, by_status: byStatus };
}

/** The status catalogue: the Account statuses page as data. */
export function statusCatalogueJson() {
  return {
    data: FAMILY_KEYS.map((family) => ({
      family: apiFamily(family),
      label: FAMILIES[family].label,
      description: FAMILIES[family].description,
      statuses: familyStatuses(family).map((s) => ({
        code: s.value,
        label: s.label,
        meaning: s.meaning,
        next_step: s.next,
        needs_attention: !!s.attention,
        pending: !!s.pending,
      })),
    })),
  };
}
