import type { EntityManager } from '@mikro-orm/core';
import { sqlDate, type Sql } from '../database/sql';
import type { ApiScope } from './entities/api-key.entity';

/** What the key check reads of a key: one row, by the unique key id. */
export interface KeyRow {
  id: string;
  partnerId: string;
  name: string;
  scope: ApiScope;
  secretHash: string;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

const optionalDate = (v: unknown) => (v === null || v === undefined ? null : sqlDate(v));

/** The key with this public id, or undefined. No cache: a revocation counts on every instance at once. */
export async function readKey(sql: Sql, keyId: string): Promise<KeyRow | undefined> {
  const [row] = await sql.byKey<Record<string, unknown>>(
    `select id, partner_id, name, scope, secret_hash, expires_at, revoked_at, last_used_at from api_key where key_id = ?`,
    [keyId],
  );
  if (!row) return undefined;
  return {
    id: row.id as string,
    partnerId: row.partner_id as string,
    name: row.name as string,
    scope: row.scope as ApiScope,
    secretHash: row.secret_hash as string,
    expiresAt: optionalDate(row.expires_at),
    revokedAt: optionalDate(row.revoked_at),
    lastUsedAt: optionalDate(row.last_used_at),
  };
}

/**
 * Records a use when the last one is older than `staleBefore` (or there was none): one write a
 * minute per key at most, and of two instances racing only one writes. Returns whether it wrote.
 */
export async function touchKey(sql: Sql, tx: EntityManager, id: string, at: Date, ip: string, staleBefore: Date): Promise<boolean> {
  const changed = await sql.run(
    `update api_key set last_used_at = ?, last_used_ip = ? where id = ? and (last_used_at is null or last_used_at < ?)`,
    [at, ip.slice(0, 64), id, staleBefore],
    tx,
  );
  return changed === 1;
}

/** How many keys of a partner can still be used (not revoked, not expired). */
export async function countLiveKeys(sql: Sql, tx: EntityManager, partnerId: string, now: Date): Promise<number> {
  const [row] = await sql.all<{ n: unknown }>(
    `select count(*) as n from api_key where partner_id = ? and revoked_at is null and (expires_at is null or expires_at > ?)`,
    [partnerId, now],
    tx,
  );
  return Number(row.n);
}
