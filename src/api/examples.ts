import { stringify } from 'csv-stringify/sync';
import type { NumberRow } from '../accounts';
import { CSV_FORMAT, CSV_HEADERS, csvRecord, type ExportRow } from '../exports';
import {
  clientDetailJson,
  clientJson,
  historyJson,
  numberDetailJson,
  numberJson,
  revocationJson,
  statusCatalogueJson,
  summaryJson,
} from './api.presenter';
import { EXAMPLE_CURSOR } from './schemas';

/**
 * The answers the OpenAPI document shows, made by the presenters that make the real ones, from
 * one client's facts: a Berlin café with one WABA account and two numbers, one of them in error
 * and being revoked. An example cannot drift from what the API sends, and api-read.test.ts checks
 * each one against its schema. The ids are made up, in the hub's format.
 */

const NOW = new Date('2026-11-30T09:00:00.000Z');

const client = {
  id: 'q3Vx8KcLm2Rt5Yz0Wb7NhA',
  providerId: 'CL0004211',
  name: 'Café Lumière GmbH',
  contactEmail: 'it@cafe-lumiere.de',
  consentStatus: 'granted',
} as const;

const waba = {
  id: 'Hj4Lp9Qs2Xv6Bn1Mz8Kd3w',
  providerId: 'WA00042111',
  externalId: '104233918827465',
  namespace: '4211_9f3c2a1b',
  timezoneId: 47,
  status: 'approved',
  businessVerificationStatus: 'verified',
  messageOnBehalfStatus: 'approved',
} as const;

const healthy: NumberRow = {
  id: 'Pz7Rk2Wm9Xq4Ld1Hv6Nc3s',
  providerId: 'CH00081234',
  externalId: '100000081233',
  phoneNumber: '+493012345678',
  displayName: 'Café Lumière',
  status: 'live',
  statusChangedAt: new Date('2026-06-02T10:15:00.000Z'),
  accountMode: 'live',
  registrationStatus: 'registered',
  registrationMethod: 'sms',
  ivr: false,
  qualityRating: 'green',
  messagingTier: 'tier_1k',
  billingState: 'partner_paid',
  providerCreatedAt: new Date('2026-05-28T08:00:00.000Z'),
  clientName: client.name,
  client: { ...client },
  waba: { ...waba },
};

const failing: NumberRow = {
  ...healthy,
  id: 'Tb5Gy8Jn3Qw6Zr1Ck4Mv7e',
  providerId: 'CH00081235',
  externalId: '100000081234',
  phoneNumber: '+493012345679',
  displayName: 'Café Lumière Lieferdienst',
  status: 'error',
  statusChangedAt: new Date('2026-11-27T16:42:00.000Z'),
  registrationMethod: 'voice',
  qualityRating: 'yellow',
  billingState: 'revocation_requested',
  providerCreatedAt: new Date('2026-11-12T09:30:00.000Z'),
  client: { ...client },
  waba: { ...waba },
};

const revocation = revocationJson({
  requestedAt: new Date('2026-11-28T11:05:00.000Z'),
  terminationDate: '2026-12-31',
  billingTimeZone: 'Europe/Berlin',
  billingEndsAt: new Date('2026-12-31T23:00:00.000Z'),
  removeAt: new Date('2027-01-30T23:00:00.000Z'),
  reason: 'Client moved to another provider.',
});

/** The row the CSV download reads for the failing number. */
const exportRow: ExportRow = {
  companyName: client.name,
  phoneNumber: failing.phoneNumber,
  contactEmail: client.contactEmail,
  onBehalf: waba.messageOnBehalfStatus,
  verification: waba.businessVerificationStatus,
  registration: failing.registrationStatus,
  clientId: client.providerId,
  numberId: failing.providerId,
  wabaExternalId: waba.externalId,
  channelExternalId: failing.externalId,
  namespace: waba.namespace,
  lifecycle: failing.status,
  consent: client.consentStatus,
  billing: failing.billingState,
  terminationDate: revocation.termination_date,
  createdAt: failing.providerCreatedAt,
  displayName: failing.displayName,
  countryCode: 'DE',
  wabaStatus: waba.status,
  timezoneId: waba.timezoneId,
  ivr: failing.ivr,
  registrationMethod: failing.registrationMethod,
  qualityRating: failing.qualityRating,
  messagingTier: failing.messagingTier,
  needsAttention: 1,
  removeAt: revocation.remove_at,
};

export const EXAMPLES = {
  numberPage: {
    data: [numberJson(failing, NOW), numberJson(healthy, NOW)],
    has_more: true,
    next_cursor: EXAMPLE_CURSOR,
  },
  number: numberDetailJson(failing, NOW, revocation),
  history: {
    data: [
      historyJson({ family: 'lifecycle', fromValue: 'live', toValue: 'error', source: 'import', changedAt: failing.statusChangedAt }),
      historyJson({ family: 'lifecycle', fromValue: null, toValue: 'live', source: 'import', changedAt: failing.providerCreatedAt }),
    ],
    has_more: false,
  },
  clientPage: {
    data: [clientJson(client)],
    has_more: true,
    next_cursor: 'WyJDYWbDqSBMdW1pw6hyZSBHbWJIIiwicTNWeDhLY0xtMlJ0NVl6MFdiN05oQSJd',
  },
  client: clientDetailJson(client, [{ ...waba, numbers: 2 }]),
  summary: summaryJson({ byStatus: { live: 1820, running: 311, error: 7, suspended: 2 }, total: 2140, attention: 12 }),
  /** The catalogue as it is, its first family only: the answer has them all. */
  statuses: { data: statusCatalogueJson().data.slice(0, 1) },
  csv: stringify([csvRecord(exportRow)], { header: true, columns: [...CSV_HEADERS], ...CSV_FORMAT }),
  revocationPreview: { number_id: failing.id, number_provider_id: failing.providerId, dry_run: true, revocation, client_emailed: true },
  revocationRequested: { number_id: failing.id, number_provider_id: failing.providerId, dry_run: false, revocation, client_emailed: true },
  revocationWithdrawn: {
    number_id: failing.id,
    number_provider_id: failing.providerId,
    withdrawn_at: '2026-11-30T08:12:00.000Z',
    termination_date: revocation.termination_date,
    client_emailed: true,
  },
};
