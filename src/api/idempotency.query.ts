import { newId } from '../common/ids';
import { sqlDate, type Sql } from '../database/sql';

/** A stored Idempotency-Key of an API key: its request's fingerprint and, once answered, the answer. */
export interface IdempotencyRow {
  id: string;
  fingerprint: string;
  responseStatus: number | null;
  responseBody: string | null;
  updatedAt: Date;
  expiresAt: Date;
}

/**
 * Claims the key for a request: inserts it unless the API key already has it. Returns the new
 * row's id when this request inserted it (and so acts); the unique index decides between instances.
 */
export async function claimIdempotencyKey(
  sql: Sql,
  claim: { apiKeyId: string; key: string; fingerprint: string; now: Date; expiresAt: Date },
): Promise<string | undefined> {
  const id = newId();
  const inserted = await sql.run(
    `insert into api_idempotency_key (id, created_at, updated_at, api_key_id, idempotency_key, fingerprint, expires_at)
     values (?, ?, ?, ?, ?, ?, ?)
     on conflict (api_key_id, idempotency_key) do nothing`,
    [id, claim.now, claim.now, claim.apiKeyId, claim.key, claim.fingerprint, claim.expiresAt],
  );
  return inserted === 1 ? id : undefined;
}

export async function readIdempotencyKey(sql: Sql, apiKeyId: string, key: string): Promise<IdempotencyRow | undefined> {
  const [row] = await sql.all<Record<string, unknown>>(
    `select id, fingerprint, response_status, response_body, updated_at, expires_at
       from api_idempotency_key where api_key_id = ? and idempotency_key = ?`,
    [apiKeyId, key],
  );
  if (!row) return undefined;
  return {
    id: row.id as string,
    fingerprint: row.fingerprint as string,
    responseStatus: row.response_status === null ? null : Number(row.response_status),
    responseBody: (row.response_body as string | null) ?? null,
    updatedAt: sqlDate(row.updated_at),
    expiresAt: sqlDate(row.expires_at),
  };
}

export async function storeIdempotentAnswer(sql: Sql, id: string, status: number, body: string, now: Date): Promise<void> {
  await sql.run(`update api_idempotency_key set response_status = ?, response_body = ?, updated_at = ? where id = ?`, [
    status,
    body,
    now,
    id,
  ]);
}

/**
 * Forgets a key that expired, or whose request was still unanswered at `abandonedBefore` (its
 * process died): checked again as it is deleted, so of two requests only one frees it.
 */
export async function forgetStaleKey(sql: Sql, id: string, now: Date, abandonedBefore: Date): Promise<void> {
  await sql.run(`delete from api_idempotency_key where id = ? and (expires_at <= ? or (response_status is null and updated_at <= ?))`, [
    id,
    now,
    abandonedBefore,
  ]);
}

/** Frees a key whose request failed on our side: the client may retry it. */
export async function releaseIdempotencyKey(sql: Sql, id: string): Promise<void> {
  await sql.run(`delete from api_idempotency_key where id = ? and response_status is null`, [id]);
}

/**
 * Every API key's expired keys, a batch at a time (housekeeping, hourly): a claim finds an
 * expired key of its own meanwhile and forgets it (forgetStaleKey).
 */
export function pruneAllExpiredKeys(sql: Sql, now: Date, batchSize: number): Promise<number> {
  return sql.deleteInBatches(
    `delete from api_idempotency_key where id in (
       select id from api_idempotency_key where expires_at <= ? limit ?)`,
    [now],
    batchSize,
  );
}
