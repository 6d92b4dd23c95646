import type { Static } from '@sinclair/typebox';
import type { AccountsService, ClientRow, ClientWabaRow, StatusChangeRow } from '../accounts/accounts.service';
import { FAMILIES, statusDef, type FamilyKey } from '../statuses';
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

type NumberRow = NonNullable<Awaited<ReturnType<AccountsService['findVisible']>>>;

const status = (family: FamilyKey, code: string) => ({ code, label: statusDef(family, code)?.label ?? code });

/** The families whose problem statuses make a number need attention, and how long a pending status may last. */
const ATTENTION_FAMILIES: FamilyKey[] = ['lifecycle', 'waba', 'verification', 'onBehalf', 'registration'];
const STUCK_AFTER_MS = 7 * 86_400_000;

/** The list's attention rule (accounts' attentionWhere), told per number. */
export function attentionReasons(n: NumberRow, now: Date): string[] {
  const values: Record<string, string> = {
    lifecycle: n.status,
    waba: n.waba.status,
    verification: n.waba.businessVerificationStatus,
    onBehalf: n.waba.messageOnBehalfStatus,
    registration: n.registrationStatus,
  };
  const reasons = ATTENTION_FAMILIES.filter((f) => statusDef(f, values[f])?.attention).map((f) => FAMILIES[f].label as string);
  if (statusDef('lifecycle', n.status)?.pending && now.getTime() - n.statusChangedAt.getTime() > STUCK_AFTER_MS) {
    reasons.push(`${FAMILIES.lifecycle.label} pending over 7 days`);
  }
  return reasons;
}

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
