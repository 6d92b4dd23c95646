import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { Clock } from '../common/clock';
import { Sql } from '../database/sql';
import type { ApiRequest } from './api-key.guard';
import { problemJson, problemOf } from './api-problem.filter';
import {
  claimIdempotencyKey,
  forgetStaleKey,
  pruneAllExpiredKeys,
  readIdempotencyKey,
  releaseIdempotencyKey,
  storeIdempotentAnswer,
} from './idempotency.query';
import { ApiProblem, referenceOf } from './problem';

/** What a handler that changes something answers: a status and a JSON body. */
export interface ApiAnswer {
  status: number;
  body: unknown;
}

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
/** The header on an answer that is a replay of the first one. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';
/** How long a key and its answer are kept (Stripe: 24 hours). */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** A claim still unanswered after this died with its process: the key may be used again. */
const ABANDONED_AFTER_MS = 60_000;
/** Visible ASCII, no spaces: a UUID fits, and so does any key a client library makes. */
const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/;

type Claim = { id: string } | { replay: { status: number; body: string } };

/**
 * Requests that change something, made at most once per Idempotency-Key (Stripe's model):
 * the first request with a key acts and its answer, success or refusal, is kept 24 hours;
 * the same key with the same method, path and body then gets that answer again (with
 * `Idempotent-Replayed: true`), with anything else a 422. The key is claimed in the database
 * before acting, so identical requests at once on any instances act once: the others get a
 * 409 until the first is answered. A failure on our side (5xx) frees the key for a retry.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    private readonly sql: Sql,
    private readonly clock: Clock,
  ) {}

  async answer(req: ApiRequest, res: Response, body: unknown, act: () => Promise<ApiAnswer>): Promise<void> {
    const key = req.get(IDEMPOTENCY_HEADER);
    if (key === undefined) throw ApiProblem.idempotencyKeyMissing();
    if (!KEY_SHAPE.test(key)) throw ApiProblem.idempotencyKeyInvalid();
    const claim = await this.claim(req.apiCaller!.keyId, key, fingerprintOf(req.method, routeOfRequest(req), body));
    if ('replay' in claim) return send(res, claim.replay.status, claim.replay.body, true);

    let answer: ApiAnswer;
    try {
      answer = await act();
    } catch (err) {
      const problem = problemOf(err);
      if (problem.status >= 500) {
        // Unreleased (the database is what failed), it counts as abandoned after a minute.
        await releaseIdempotencyKey(this.sql, claim.id).catch(() => undefined);
        throw err;
      }
      // A refusal is an answer too: kept, and the filter sends the same body now.
      await storeIdempotentAnswer(
        this.sql,
        claim.id,
        problem.status,
        problemJson(problem, req.id, referenceOf(req.path)),
        this.clock.now(),
      );
      throw err;
    }
    const json = JSON.stringify(answer.body);
    await storeIdempotentAnswer(this.sql, claim.id, answer.status, json, this.clock.now());
    send(res, answer.status, json, false);
  }

  /** Deletes every API key's expired keys, `batchSize` rows per statement; returns how many. */
  prune(now: Date, batchSize: number): Promise<number> {
    return pruneAllExpiredKeys(this.sql, now, batchSize);
  }

  /** This request's claim on the key, or the answer to replay; a 409 or 422 problem otherwise. */
  private async claim(apiKeyId: string, key: string, fingerprint: string): Promise<Claim> {
    // Twice at most: a stale key found once is forgotten, then claimed.
    for (let attempt = 0; attempt < 2; attempt++) {
      const now = this.clock.now();
      const id = await claimIdempotencyKey(this.sql, {
        apiKeyId,
        key,
        fingerprint,
        now,
        expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
      });
      if (id) return { id };
      const row = await readIdempotencyKey(this.sql, apiKeyId, key);
      if (!row) continue;
      const abandonedBefore = new Date(now.getTime() - ABANDONED_AFTER_MS);
      if (row.expiresAt <= now || (row.responseStatus === null && row.updatedAt <= abandonedBefore)) {
        await forgetStaleKey(this.sql, row.id, now, abandonedBefore);
        continue;
      }
      if (row.fingerprint !== fingerprint) throw ApiProblem.idempotencyKeyReused();
      if (row.responseStatus === null) throw ApiProblem.idempotencyKeyInUse();
      return { replay: { status: row.responseStatus, body: row.responseBody ?? '' } };
    }
    throw ApiProblem.idempotencyKeyInUse();
  }
}

function send(res: Response, status: number, json: string, replayed: boolean): void {
  if (replayed) res.setHeader(REPLAYED_HEADER, 'true');
  res
    .status(status)
    .type(status >= 400 ? 'application/problem+json' : 'application/json')
    .send(json);
}

/**
 * The address a request went to as the router read it: its route and parameters, so that a
 * retry spelled another way that reaches the same handler (`…/revocation/`, another case) is the
 * same request.
 */
function routeOfRequest(req: ApiRequest): string {
  const route = (req as { route?: { path?: unknown } }).route?.path;
  return typeof route === 'string' ? `${route} ${JSON.stringify(req.params)}` : req.path;
}

/** The request a key stands for: method, route and body, the body's keys in any order. */
function fingerprintOf(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([method, path, canonical(body ?? {})]))
    .digest('hex');
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
  );
}
