import { readJsonChannel, type ImportRecord } from '../../src/accounts/import/import-record';
import { csvRows } from '../../src/accounts/import/sources';
import { call } from './http';

/**
 * The ingestion API's side of the import comparison: the records of a downloaded CSV (what
 * accounts:import reads from it) in the provider's partner_channels form, PUT in batches.
 */

/** An import record in the partner_channels form (readJsonChannel's fields); what the record leaves undefined stays out. */
export function channelOf(r: ImportRecord): object {
  return {
    id: r.number.providerId,
    external_id: r.number.externalId,
    status: r.number.status,
    account_mode: r.number.accountMode,
    created_at: r.number.providerCreatedAt.toISOString(),
    client: {
      id: r.client.providerId,
      name: r.client.name,
      consent_status: r.client.consentStatus,
      contact_info: r.client.contactEmail === undefined ? undefined : { email: r.client.contactEmail },
    },
    waba_account: {
      // The CSV form has no WABA id: accounts:import gives such a WABA its external id as its id.
      id: r.waba.providerId ?? r.waba.externalId,
      external_id: r.waba.externalId,
      namespace: r.waba.namespace,
      timezone_id: r.waba.timezoneId,
      status: r.waba.status,
      fb_account_status: r.waba.businessVerificationStatus,
      on_behalf_of_business_info: r.waba.messageOnBehalfStatus === undefined ? undefined : { status: r.waba.messageOnBehalfStatus },
    },
    setup_info: {
      phone_number: r.number.phoneNumber,
      phone_name: r.number.displayName,
      ivr: r.number.ivr,
      verification_method: r.number.registrationMethod,
    },
    number_registration: r.number.registrationStatus,
    current_quality_rating: r.number.qualityRating,
    current_limit: r.number.messagingTier,
  };
}

/** A value as JSON with its keys sorted and undefined fields left out: two records compare by it. */
const canonical = (value: unknown) =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([, x]) => x !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : v,
  );

/**
 * The valid rows of a CSV file as request bodies of `size` channels each. Each channel is read
 * back as the API reads it and must give the row's own record (its WABA id added): the API
 * gets the same records as accounts:import of the file.
 */
export async function channelBatches(csvPath: string, size: number): Promise<{ bodies: string[]; records: number; invalid: number }> {
  const bodies: string[] = [];
  let batch: string[] = [];
  let records = 0;
  let invalid = 0;
  const flush = () => {
    bodies.push(`{"partner_channels":[${batch.join(',')}]}`);
    batch = [];
  };
  for await (const item of csvRows(csvPath)) {
    if (!item.ok) {
      invalid++;
      continue;
    }
    const channel = channelOf(item.record);
    const again = readJsonChannel(channel);
    const expected = {
      ...item.record,
      waba: { ...item.record.waba, providerId: item.record.waba.providerId ?? item.record.waba.externalId },
    };
    if (!again.ok || canonical(again.record) !== canonical(expected)) {
      throw new Error(`${item.position}: the channel does not read back as the row's record (${again.ok ? 'different' : again.reason})`);
    }
    batch.push(JSON.stringify(channel));
    records++;
    if (batch.length === size) flush();
  }
  if (batch.length) flush();
  return { bodies, records, invalid };
}

export interface IngestionRun {
  mode: string;
  batches: number;
  records: number;
  created: number;
  updated: number;
  unchanged: number;
  refused: number;
  /** From the first request sent to the last answer, requests one after another. */
  ms: number;
  medianBatchMs: number;
  slowestBatchMs: number;
  firstBatchMs: number;
  lastBatchMs: number;
  /** The first answer that was not a 200 (the run stops there), if any. */
  failure?: string;
}

/** PUTs the bodies one after another to a partner's channels with an operator key, as the provider's loader would. */
export async function putChannels(base: string, operatorKey: string, partnerId: string, bodies: string[]): Promise<IngestionRun> {
  const path = `/api/operator/v1/partners/${encodeURIComponent(partnerId)}/channels`;
  const times: number[] = [];
  const run: IngestionRun = {
    mode: '',
    batches: 0,
    records: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    refused: 0,
    ms: 0,
    medianBatchMs: 0,
    slowestBatchMs: 0,
    firstBatchMs: 0,
    lastBatchMs: 0,
  };
  const started = performance.now();
  for (const body of bodies) {
    const t0 = performance.now();
    const r = await call(base, path, {
      method: 'PUT',
      body,
      headers: { authorization: `Bearer ${operatorKey}`, 'content-type': 'application/json' },
    });
    times.push(performance.now() - t0);
    if (r.status !== 200) {
      run.failure = `batch ${run.batches + 1}: ${r.status} ${r.body.slice(0, 300)}`;
      break;
    }
    const answer = JSON.parse(r.body) as { records: number; created: number; updated: number; unchanged: number; refused: number };
    run.batches++;
    run.records += answer.records;
    run.created += answer.created;
    run.updated += answer.updated;
    run.unchanged += answer.unchanged;
    run.refused += answer.refused;
  }
  run.ms = performance.now() - started;
  const sorted = [...times].sort((a, b) => a - b);
  run.medianBatchMs = sorted[Math.floor(sorted.length / 2)] ?? 0;
  run.slowestBatchMs = sorted[sorted.length - 1] ?? 0;
  run.firstBatchMs = times[0] ?? 0;
  run.lastBatchMs = times[times.length - 1] ?? 0;
  return run;
}
