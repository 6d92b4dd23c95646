import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackgroundReads } from '../../src/database/background-reads';
import { createTestApp, type TestApp } from '../support/app';
import { createPartner } from '../factories';
import { createNumber } from '../factories/accounts';

/** A read of a few hundred milliseconds on either database. */
const SLOW = 'with recursive r(i) as (select 1 union all select i + 1 from r where i < 1000000) select count(*) as n from r';

describe('background reads', () => {
  let t: TestApp;
  let reads: BackgroundReads;

  beforeAll(async () => {
    t = await createTestApp();
    reads = t.app.get(BackgroundReads);
  });
  afterAll(() => t?.close());

  it('runs a long read while the event loop goes on (on a thread of its own on SQLite)', async () => {
    expect(reads.threaded).toBe(t.config.database.url === undefined);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      const [row] = await reads.all<{ n: number | string }>(SLOW, []);
      expect(Number(row.n)).toBe(1_000_000);
    } finally {
      clearInterval(timer);
    }
    // Run on the app's own SQLite connection, the timer could not have fired once.
    expect(ticks).toBeGreaterThan(2);
  });

  it('sees what the app wrote, with dates as the ORM stores them, and survives a failed read', async () => {
    const partner = await createPartner(t.em());
    const changedAt = new Date(t.clock.now().getTime() - 60_000);
    await createNumber(t.em(), partner, { status: 'live', statusChangedAt: changedAt });
    const count = (before: Date) =>
      reads.all<{ n: number | string }>('select count(*) as n from whatsapp_number where partner_id = ? and status_changed_at < ?', [
        partner.id,
        before,
      ]);
    expect(Number((await count(t.clock.now()))[0].n)).toBe(1);
    expect(Number((await count(changedAt))[0].n)).toBe(0);

    await expect(reads.all('select no_such_column from whatsapp_number', [])).rejects.toThrow(/no_such_column/);
    expect(Number((await count(t.clock.now()))[0].n)).toBe(1);
  });
});
