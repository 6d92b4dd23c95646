import 'reflect-metadata';
import { keyIdOf } from '../../src/api';
import { readKey } from '../../src/api/api-key.query';
import { ApiKeysService } from '../../src/api/api-keys.service';
import { withAppContext } from '../../src/cli/context';
import { Sql } from '../../src/database/sql';
import { RateLimiter } from '../../src/throttle';
import { benchConfig } from '../lib/env';
import { recordStatements } from '../lib/statements';

/**
 * What the API's guard does per request, in a process of its own (as another instance of the
 * app): how many statements the key check (ApiKeysService.authenticate) sends to the database,
 * counted at the drivers; and, each timed alone, the key check, the one read it makes (readKey:
 * by the unique key id) and the key's limit (RateLimiter.consume: one upsert). Each is run in
 * blocks, in turn; a part's time is its best block's mean (noise on a shared machine only ever
 * slows a block down). Env: BENCH_API_KEY, a live key. Sends counts and microseconds.
 */
const BLOCKS = 5;
const PER_BLOCK = 400;
const COUNTED = 100;

async function main() {
  const key = process.env.BENCH_API_KEY ?? '';
  const keyId = keyIdOf(key);
  if (!keyId) throw new Error('BENCH_API_KEY is not an API key');
  const answer = await withAppContext(benchConfig(), async (app) => {
    const keys = app.get(ApiKeysService);
    const sql = app.get(Sql);
    const limiter = app.get(RateLimiter);
    const origin = { requestId: 'bench-key-check', ip: '127.0.0.1' };
    const header = `Bearer ${key}`;
    // The guard's policy (api-key.guard.ts) with the bench's limit: never refused.
    const policy = { name: 'api.key', points: 1_000_000, windowMs: 60_000 };
    const caller = await keys.authenticate(header, origin);
    const statements = recordStatements();
    for (let i = 0; i < COUNTED; i++) await keys.authenticate(header, origin);
    statements.stop();
    const statementsPerCheck = statements.sent.length / COUNTED;
    const parts: Record<'authenticate' | 'read' | 'limit', () => Promise<unknown>> = {
      authenticate: () => keys.authenticate(header, origin),
      read: () => readKey(sql, keyId),
      limit: () => limiter.consume(policy, caller.keyId),
    };
    const best: Record<string, number> = {};
    for (let block = -1; block < BLOCKS; block++) {
      for (const [name, part] of Object.entries(parts)) {
        const started = performance.now();
        for (let i = 0; i < PER_BLOCK; i++) await part();
        const us = ((performance.now() - started) * 1000) / PER_BLOCK;
        // Block -1 warms up.
        if (block >= 0) best[name] = Math.min(best[name] ?? Infinity, us);
      }
    }
    return { statementsPerCheck, authenticateUs: best.authenticate, readUs: best.read, limitUs: best.limit };
  });
  process.send!(answer, () => process.exit(0));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
