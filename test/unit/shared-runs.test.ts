import { describe, expect, it } from 'vitest';
import { SharedRuns } from '../../src/common/shared-runs';

describe('SharedRuns', () => {
  it('runs the work once for the callers of a key while it runs, and again once it has ended', async () => {
    const runs = new SharedRuns<number>();
    let started = 0;
    const work = async () => ++started;
    expect(await Promise.all([runs.run('a', work), runs.run('a', work), runs.run('b', work)])).toEqual([1, 1, 2]);
    expect(await runs.run('a', work)).toBe(3);
  });

  it('gives every waiting caller the error, and runs anew after it', async () => {
    const runs = new SharedRuns<string>();
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new Error('database gone');
    };
    const results = await Promise.allSettled([runs.run('k', failing), runs.run('k', failing)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(1);
    expect(await runs.run('k', async () => 'back')).toBe('back');
  });
});
