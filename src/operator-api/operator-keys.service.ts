import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';
import { bearerKey, keyIdOf, keyPrefix, keyRefusal, newKeySecret } from '../api';
import { Clock } from '../common/clock';
import type { RequestOrigin } from '../common/http';
import { LOGGER, type Logger } from '../common/logger';
import { logSecurityEvent } from '../common/security-log';
import { OperatorKey } from './entities/operator-key.entity';
import { OperatorKeyErrors, OperatorKeyProblems } from './operator-api.errors';

/** What an operator key looks like: `phk_op_<key id>_<secret>`. */
export const OPERATOR_KEY_PREFIX = 'phk_op_';

/** Who calls the operator API: an operator key. */
export interface OperatorCaller {
  id: string;
  name: string;
}

/** A key as `operator:key list` shows it. */
export interface OperatorKeyListing {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  expired: boolean;
}

/** A use is written when the last one is older than this: no write per request. */
const TOUCH_EVERY_MS = 60_000;

/**
 * The operators' keys: made, listed and revoked from the command line; every operator API
 * request is checked here with one indexed read by key id and a constant-time hash comparison.
 * No cache, so a revocation holds on every instance with the next request.
 */
@Injectable()
export class OperatorKeysService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Makes a key; the answer holds the whole key, which is stored nowhere. */
  async create(input: { name: string; expiresAt: Date | null }): Promise<{ key: string; listing: OperatorKeyListing }> {
    const secret = newKeySecret(OPERATOR_KEY_PREFIX);
    const em = this.em.fork();
    const key = new OperatorKey({ name: input.name, keyId: secret.keyId, secretHash: secret.hash, expiresAt: input.expiresAt });
    await em.persistAndFlush(key);
    // The key id only: the logger would redact a whole prefix as if it were a key.
    this.logger.info({ event: 'operator_key.created', operatorKeyId: key.id, keyId: key.keyId, name: key.name }, 'operator key created');
    return { key: secret.key, listing: this.listing(key) };
  }

  /** Every key, live first, newest first. */
  async list(): Promise<OperatorKeyListing[]> {
    const keys = await this.em.fork().find(OperatorKey, {}, { orderBy: { createdAt: 'desc', id: 'desc' } });
    return keys.map((k) => this.listing(k)).sort((a, b) => Number(!!a.revokedAt) - Number(!!b.revokedAt));
  }

  /** Revokes a key at once, on every instance (no instance caches keys). */
  async revoke(id: string): Promise<OperatorKeyListing> {
    const now = this.clock.now();
    const em = this.em.fork();
    const key = await em.findOne(OperatorKey, { id });
    if (!key) throw OperatorKeyErrors.unknownKey(id);
    const claimed = await em.nativeUpdate(OperatorKey, { id, revokedAt: null }, { revokedAt: now, updatedAt: now });
    if (claimed !== 1) throw OperatorKeyErrors.alreadyRevoked();
    key.revokedAt = now;
    this.logger.info({ event: 'operator_key.revoked', operatorKeyId: key.id, keyId: key.keyId, name: key.name }, 'operator key revoked');
    return this.listing(key);
  }

  /**
   * The caller of an `Authorization` header, or a 401 problem. Missing, malformed, unknown,
   * wrong, expired and revoked keys get the same answer (a partner's API key a clearer one);
   * the log says which, never the key.
   */
  async authenticate(authorization: string | undefined, origin: RequestOrigin): Promise<OperatorCaller> {
    const presented = bearerKey(authorization);
    const keyId = presented && keyIdOf(presented, OPERATOR_KEY_PREFIX);
    const key = keyId ? await this.em.fork().findOne(OperatorKey, { keyId }, { populate: ['secretHash'] }) : null;
    const now = this.clock.now();
    // A partner's API key sent here gets an answer of its own: the two kinds are easy to mix up.
    const refusal = presented && keyIdOf(presented) ? 'partner_key' : keyRefusal(authorization, keyId, key, now);
    if (refusal || !key) {
      logSecurityEvent(this.logger, origin, 'operator.key_refused', { reason: refusal, ...(keyId && { keyId }) });
      throw refusal === 'missing'
        ? OperatorKeyProblems.missing()
        : refusal === 'partner_key'
          ? OperatorKeyProblems.partnerKey()
          : OperatorKeyProblems.refused();
    }
    await this.touch(key, now);
    return { id: key.id, name: key.name };
  }

  /** Records when a key was last used, once a minute at most (of two instances racing, one writes). */
  private async touch(key: OperatorKey, now: Date): Promise<void> {
    if (key.lastUsedAt && now.getTime() - key.lastUsedAt.getTime() < TOUCH_EVERY_MS) return;
    const stale = new Date(now.getTime() - TOUCH_EVERY_MS);
    await this.em
      .fork()
      .nativeUpdate(OperatorKey, { id: key.id, $or: [{ lastUsedAt: null }, { lastUsedAt: { $lt: stale } }] }, { lastUsedAt: now });
  }

  private listing(k: OperatorKey): OperatorKeyListing {
    return {
      id: k.id,
      name: k.name,
      prefix: keyPrefix(k.keyId, OPERATOR_KEY_PREFIX),
      createdAt: k.createdAt,
      expiresAt: k.expiresAt ?? null,
      lastUsedAt: k.lastUsedAt ?? null,
      revokedAt: k.revokedAt ?? null,
      expired: !!k.expiresAt && k.expiresAt <= this.clock.now(),
    };
  }
}
