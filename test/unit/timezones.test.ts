import { describe, expect, it } from 'vitest';
import { metaTimezoneName } from '../../src/accounts/timezones';

// Meta numbers WABA timezones 0–479; 0 is "unknown".
const META_IDS = Array.from({ length: 480 }, (_, i) => i);

describe("Meta's timezone ids", () => {
  it.each([
    [1, 'America/Los_Angeles'],
    [7, 'America/New_York'],
    [8, 'Asia/Dubai'],
    [25, 'America/Sao_Paulo'],
    [42, 'Asia/Shanghai'],
    [47, 'Europe/Berlin'],
  ])('names id %i %s', (id, name) => {
    expect(metaTimezoneName(id)).toBe(name);
  });

  it.each([0, 48, 300, 479, 480, -1, 1.5, Number.NaN])('does not guess a name for id %d', (id) => {
    expect(metaTimezoneName(id)).toBeUndefined();
  });

  it('has no name when the WABA account has no timezone', () => {
    expect(metaTimezoneName(null)).toBeUndefined();
    expect(metaTimezoneName(undefined)).toBeUndefined();
  });

  it('names only time zones the IANA database knows', () => {
    const named = META_IDS.map((id) => metaTimezoneName(id)).filter((name): name is string => !!name);
    expect(named.length).toBeGreaterThan(40);
    for (const name of named) expect(() => new Intl.DateTimeFormat('en', { timeZone: name })).not.toThrow();
  });

  it('gives each known id its own zone', () => {
    const named = META_IDS.map((id) => metaTimezoneName(id)).filter((name): name is string => !!name);
    expect(new Set(named).size).toBe(named.length);
  });
});
