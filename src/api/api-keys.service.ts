import { EntityManager, LockMode } from '@mikro-orm/core';
import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { actorOf, AuditService, nameWithAddress } from '../audit/audit.service';
import { User } from '../auth/entities/user.entity';
import { Clock } from '../common/clock';
import type { CurrentMember, RequestOrigin } from '../common/http';
import { LOGGER, type Logger } from '../common/logger';
import { logSecurityEvent } from '../common/security-log';
import { Sql } from '../database/sql';
import { Partner } from '../partners/entities/partner.entity';
import { ApiKeyErrors, MAX_LIVE_KEYS } from './api.errors';
import { countLiveKeys, readKey, touchKey, type KeyRow } from './api-key.query';
import { bearerKey, keyIdOf, keyPrefix, keyRefusal, newKeySecret } from './api-key-secret';
import { ApiKey, type ApiScope } from './entities/api-key.entity';
import { ApiProblem } from './problem';

/** Who calls the API: a key of a partner, with its scope. */
export interface ApiCaller {
  keyId: string;
  partnerId: string;
  scope: ApiScope;
  name: string;
  prefix: string;
}

/** A key as the settings page lists it. */
export interface KeyListing {
  id: string;
  name: string;
  prefix: string;
  scope: ApiScope;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date | null;
  /** The last day it works, in UTC ("2027-06-30"), as the owner chose it; null when it never expires. */
  lastDay: string | null;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  revokedAt: Date | null;
  expired: boolean;
}

/** The last day (UTC) of a key that stops working at `expiresAt`, the midnight after it. */
export const lastDayOf = (expiresAt: Date | null | undefined): string | null =>
  expiresAt ? new Date(expiresAt.getTime() - 1).toISOString().slice(0, 10) : null;

export interface NewKeyInput {
  name: string;
  scope: ApiScope;
  expiresAt: Date | null;
  /** The settings form's id: the same form sent again (a reload, a double click) makes no second key. */
  formId?: string;
}

/** A use is written when the last one is older than this: no write per request. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Partner API keys: owners make and revoke them; every API request is checked here with one
 * indexed read by key id and a constant-time hash comparison. No cache, so a revocation
 * holds on every instance with the next request.
 */
/** A key by its name, as every page and event says it: API key “ERP sync”. */
export const keyName = (name: string): string => `API key “${name}”`;

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly em: EntityManager,
    private readonly sql: Sql,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The partner's keys, live first then revoked, newest first. */
  async list(partnerId: string): Promise<KeyListing[]> {
    const keys = await this.em.fork().find(ApiKey, { partner: partnerId }, { orderBy: { createdAt: 'desc', id: 'desc' } });
    return (await this.listings(keys)).sort((a, b) => Number(!!a.revokedAt) - Number(!!b.revokedAt));
  }

  /** One of the partner's keys as the list shows it; another partner's key and an unknown id are a 404. */
  async find(partnerId: string, id: string): Promise<KeyListing> {
    const key = await this.em.fork().findOne(ApiKey, { id, partner: partnerId });
    if (!key) throw new NotFoundException();
    const [listing] = await this.listings([key]);
    return listing;
  }

  private async listings(keys: ApiKey[]): Promise<KeyListing[]> {
    const now = this.clock.now();
    const names = await this.userNames(keys.map((k) => k.createdBy));
    return keys.map((k) => ({
      id: k.id,
      name: k.name,
      prefix: keyPrefix(k.keyId),
      scope: k.scope,
      createdBy: names.get(k.createdBy) ?? 'A user who has since been deleted',
      createdAt: k.createdAt,
      expiresAt: k.expiresAt ?? null,
      lastDay: lastDayOf(k.expiresAt),
      lastUsedAt: k.lastUsedAt ?? null,
      lastUsedIp: k.lastUsedIp ?? null,
      revokedAt: k.revokedAt ?? null,
      expired: !!k.expiresAt && k.expiresAt <= now,
    }));
  }

  /** Makes a key; the answer holds the whole key, which is stored nowhere. */
  async create(
    member: CurrentMember,
    input: NewKeyInput,
    origin: RequestOrigin,
  ): Promise<{ id: string; key: string; listing: { name: string; prefix: string; scope: ApiScope; lastDay: string | null } }> {
    const now = this.clock.now();
    const secret = newKeySecret();
    return this.em.fork().transactional(async (tx) => {
      // Creations at the same time count one after another: PostgreSQL locks the partner row
      // until commit; SQLite's write lock (BEGIN IMMEDIATE) already orders them. So a form sent
      // twice at once finds, the second time, the key the first one made.
      await tx.findOne(Partner, member.partnerId, { fields: ['id'], lockMode: LockMode.PESSIMISTIC_WRITE });
      if (input.formId) {
        const sent = await tx.findOne(ApiKey, { partner: member.partnerId, formId: input.formId }, { fields: ['name', 'keyId'] });
        if (sent) throw ApiKeyErrors.formAlreadySent({ name: sent.name, prefix: keyPrefix(sent.keyId) });
      }
      if ((await countLiveKeys(this.sql, tx, member.partnerId, now)) >= MAX_LIVE_KEYS) throw ApiKeyErrors.tooManyKeys();
      const key = new ApiKey({
        partner: tx.getReference(Partner, member.partnerId),
        name: input.name,
        scope: input.scope,
        keyId: secret.keyId,
        secretHash: secret.hash,
        createdBy: member.userId,
        expiresAt: input.expiresAt,
        formId: input.formId ?? null,
      });
      tx.persist(key);
      this.audit.record(tx, {
        action: 'api_key.created',
        partnerId: member.partnerId,
        actor: actorOf(member),
        subjectType: 'api_key',
        subjectId: key.id,
        data: { name: input.name, prefix: keyPrefix(secret.keyId), scope: input.scope, expiresAt: input.expiresAt?.toISOString() ?? null },
        origin,
      });
      return {
        id: key.id,
        key: secret.key,
        listing: { name: input.name, prefix: keyPrefix(secret.keyId), scope: input.scope, lastDay: lastDayOf(input.expiresAt) },
      };
    });
  }

  /** Revokes a key of the member's partner at once; another partner's key is not found. */
  async revoke(member: CurrentMember, id: string, origin: RequestOrigin): Promise<{ name: string; prefix: string }> {
    const now = this.clock.now();
    return this.em.fork().transactional(async (tx) => {
      const key = await tx.findOne(ApiKey, { id, partner: member.partnerId });
      if (!key) throw new NotFoundException();
      const claimed = await tx.nativeUpdate(ApiKey, { id, revokedAt: null }, { revokedAt: now, updatedAt: now });
      if (claimed !== 1) throw ApiKeyErrors.alreadyRevoked();
      this.audit.record(tx, {
        action: 'api_key.revoked',
        partnerId: member.partnerId,
        actor: actorOf(member),
        subjectType: 'api_key',
        subjectId: key.id,
        data: { name: key.name, prefix: keyPrefix(key.keyId) },
        origin,
      });
      return { name: key.name, prefix: keyPrefix(key.keyId) };
    });
  }

  /**
   * The caller of an `Authorization` header, or a 401 problem. Missing, malformed, unknown,
   * wrong, expired and revoked keys get the same answer; the log says which (never the key).
   */
  async authenticate(authorization: string | undefined, origin: RequestOrigin): Promise<ApiCaller> {
    const presented = bearerKey(authorization);
    const keyId = presented && keyIdOf(presented);
    const row = keyId ? await readKey(this.sql, keyId) : undefined;
    const now = this.clock.now();
    const refusal = keyRefusal(authorization, keyId, row, now);
    if (refusal || !row) {
      logSecurityEvent(this.logger, origin, 'api.key_refused', { reason: refusal, ...(keyId && { prefix: keyPrefix(keyId) }) });
      if (refusal === 'missing') throw ApiProblem.keyMissing();
      if (refusal === 'several_headers' || refusal === 'not_bearer')
        throw ApiProblem.authorizationUnreadable(refusal === 'several_headers');
      throw ApiProblem.keyRefused();
    }
    await this.touch(row, now, origin);
    return { keyId: row.id, partnerId: row.partnerId, scope: row.scope, name: row.name, prefix: keyPrefix(keyId!) };
  }

  /** Records when and from where a key was last used, once a minute at most; its first use goes to Activity. */
  private async touch(row: KeyRow, now: Date, origin: RequestOrigin): Promise<void> {
    if (row.lastUsedAt && now.getTime() - row.lastUsedAt.getTime() < TOUCH_EVERY_MS) return;
    await this.em.fork().transactional(async (tx) => {
      const wrote = await touchKey(this.sql, tx, row.id, now, origin.ip, new Date(now.getTime() - TOUCH_EVERY_MS));
      if (!wrote || row.lastUsedAt) return;
      this.audit.record(tx, {
        action: 'api_key.first_used',
        partnerId: row.partnerId,
        actorLabel: keyName(row.name),
        subjectType: 'api_key',
        subjectId: row.id,
        data: { name: row.name },
        origin,
      });
    });
  }

  private async userNames(ids: string[]): Promise<Map<string, string>> {
    const unique = [...new Set(ids)];
    const users = await this.em.fork().find(User, { id: { $in: unique } }, { fields: ['name', 'email'] });
    return new Map(users.map((u) => [u.id, nameWithAddress(u)]));
  }
}
