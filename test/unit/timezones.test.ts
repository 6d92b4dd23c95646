import { describe, expect, it } from 'vitest';
import { metaTimezoneLabel, metaTimezoneName, metaTimezoneTable } from '../../src/accounts/timezones';
import { CITY_ZONES, dayIn, formatInstant, isChoosableZone, utcOffset, zoneChoices } from '../../src/common/time-zones';
import { viewHelpers } from '../../src/common/view-helpers';

const WINTER = new Date('2026-01-15T12:00:00Z');
const SUMMER = new Date('2026-07-15T12:00:00Z');

/** Meta's code for a zone: upper case, "/" and "-" as "_", Etc's "+" and "-" spelled out. */
const codeOf = (zone: string) => `TZ_${zone.toUpperCase().replace(/\+/g, '_PLUS_').replace(/GMT-/, 'GMT_MINUS_').replace(/[/-]/g, '_')}`;

describe("Meta's timezone table", () => {
  it('is complete: every id from 0 to the last one, once, in order', () => {
    const ids = metaTimezoneTable.map(([id]) => id);
    expect(ids).toEqual(ids.map((_, i) => i));
    expect(ids.at(-1)).toBe(475);
  });

  it("starts with Meta's unknown zone, which has no IANA name", () => {
    expect(metaTimezoneTable[0]).toEqual([0, 'TZ_UNKNOWN', null]);
    expect(metaTimezoneName(0)).toBeUndefined();
  });

  it('names a real IANA zone for every other id, matching its Meta code, each zone once', () => {
    const named = metaTimezoneTable.slice(1);
    for (const [id, code, zone] of named) {
      expect(zone, `id ${id}`).toBeTypeOf('string');
      expect(() => new Intl.DateTimeFormat('en', { timeZone: zone! }), `id ${id}: ${zone}`).not.toThrow();
      expect(code, `id ${id}`).toBe(codeOf(zone!));
    }
    expect(new Set(named.map(([, , zone]) => zone)).size).toBe(named.length);
  });

  it.each([
    [1, 'America/Los_Angeles'],
    [7, 'America/New_York'],
    [47, 'Europe/Berlin'],
    [126, 'Asia/Riyadh'],
    [141, 'Africa/Johannesburg'],
    [144, 'Australia/Melbourne'],
    [146, 'Asia/Baku'],
    [305, 'Asia/Anadyr'],
    [474, 'UTC'],
    [475, 'WET'],
  ])('names id %i %s', (id, zone) => {
    expect(metaTimezoneName(id)).toBe(zone);
  });

  it('shows a known id as its zone with the offset in force: Berlin in winter and in summer, Kolkata', () => {
    expect(metaTimezoneLabel(47, WINTER)).toBe('Europe/Berlin (UTC+01:00)');
    expect(metaTimezoneLabel(47, SUMMER)).toBe('Europe/Berlin (UTC+02:00)');
    expect(metaTimezoneLabel(7, WINTER)).toBe('America/New_York (UTC-05:00)');
    expect(metaTimezoneLabel(71, SUMMER)).toBe('Asia/Kolkata (UTC+05:30)');
    expect(metaTimezoneLabel(474, SUMMER)).toBe('UTC (UTC+00:00)');
  });

  it.each([0, 476, 479, 999, -1])('shows id %i, which the table does not name, as "unknown (n)"', (id) => {
    expect(metaTimezoneLabel(id, WINTER)).toBe(`unknown (${id})`);
  });

  it('shows nothing when the WABA account has no timezone', () => {
    expect(metaTimezoneLabel(null, WINTER)).toBeUndefined();
    expect(metaTimezoneLabel(undefined, WINTER)).toBeUndefined();
  });
});

describe('times for people', () => {
  it('shows an instant on the wall clock of a zone, naming the zone with summer time', () => {
    expect(formatInstant(new Date('2026-11-30T14:04:00Z'), 'Europe/Berlin')).toBe('30 Nov 2026, 15:04 CET');
    expect(formatInstant(new Date('2026-07-01T14:04:00Z'), 'Europe/Berlin')).toBe('1 Jul 2026, 16:04 CEST');
    expect(formatInstant(new Date('2026-07-01T14:04:00Z'), 'America/New_York')).toBe('1 Jul 2026, 10:04 EDT');
    expect(formatInstant(new Date('2026-07-01T14:04:00Z'), 'Europe/London')).toBe('1 Jul 2026, 15:04 BST');
    expect(formatInstant(new Date('2026-07-01T14:04:00Z'), 'Asia/Kolkata')).toBe('1 Jul 2026, 19:34 UTC+05:30');
    expect(formatInstant(new Date('2026-07-01T14:04:00Z'), 'UTC')).toBe('1 Jul 2026, 14:04 UTC');
  });

  it('reads a zone it cannot use, or none, as UTC', () => {
    expect(formatInstant(new Date('2026-07-01T14:04:00Z'), 'Mars/Olympus_Mons')).toBe('1 Jul 2026, 14:04 UTC');
    expect(formatInstant(new Date('2026-07-01T14:04:00Z'), null)).toBe('1 Jul 2026, 14:04 UTC');
  });

  it("takes the calendar day from the zone's wall clock", () => {
    const lateInLondon = new Date('2026-11-30T23:30:00Z');
    expect(dayIn(lateInLondon, 'UTC')).toBe('2026-11-30');
    expect(dayIn(lateInLondon, 'Europe/Berlin')).toBe('2026-12-01');
    expect(dayIn(lateInLondon, 'America/New_York')).toBe('2026-11-30');
  });

  it("gives the formatter's day for every instant, on the days summer time starts and ends too", () => {
    // The offset is read once per UTC day; a day whose offset changes asks the formatter each time.
    const formatter = (zone: string) =>
      new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    for (const zone of ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham', 'UTC']) {
      const f = formatter(zone);
      for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 17 * 60_000) {
        const at = new Date(t);
        if (dayIn(at, zone) !== f.format(at)) expect(dayIn(at, zone), `${zone} at ${at.toISOString()}`).toBe(f.format(at));
      }
    }
    // Berlin's summer time starts at 01:00 UTC on 29 March 2026: 22:30 UTC is already past midnight.
    expect(dayIn(new Date('2026-03-29T00:30:00Z'), 'Europe/Berlin')).toBe('2026-03-29');
    expect(dayIn(new Date('2026-03-29T22:30:00Z'), 'Europe/Berlin')).toBe('2026-03-30');
    expect(dayIn(new Date('2026-03-28T22:30:00Z'), 'Europe/Berlin')).toBe('2026-03-28');
  });

  it('gives offsets with hours and minutes, zero included', () => {
    expect(utcOffset(WINTER, 'America/St_Johns')).toBe('-03:30');
    expect(utcOffset(WINTER, 'Etc/GMT')).toBe('+00:00');
  });

  it('lets a person choose the IANA zones and UTC, spelled as listed, and nothing else', () => {
    expect(isChoosableZone('Europe/Berlin')).toBe(true);
    expect(isChoosableZone('UTC')).toBe(true);
    for (const zone of ['europe/berlin', 'Mars/Olympus_Mons', '', 'Europe/Berlin ', '+01:00']) expect(isChoosableZone(zone)).toBe(false);
  });

  it("lists zones by today's IANA names, Kyiv not Kiev, and keeps a former name chosen before", () => {
    const listed = zoneChoices(WINTER, 'Europe/Kiev').flatMap((g) => g.zones);
    const values = listed.map((z) => z.value);
    for (const current of ['Europe/Kyiv', 'Asia/Kolkata', 'Asia/Ho_Chi_Minh', 'America/Nuuk', 'America/Argentina/Buenos_Aires']) {
      expect(values, current).toContain(current);
      expect(isChoosableZone(current), current).toBe(true);
    }
    for (const former of ['Europe/Kiev', 'Asia/Calcutta', 'Asia/Saigon', 'America/Godthab', 'America/Buenos_Aires']) {
      expect(values, former).not.toContain(former);
      expect(isChoosableZone(former), former).toBe(true);
    }
    const zones = listed.filter((z) => !z.label.includes(','));
    expect(new Set(zones.map((z) => z.value)).size).toBe(zones.length);
    expect(listed.filter((z) => z.selected).map((z) => z.value)).toEqual(['Europe/Kyiv']);
    expect(zones.find((z) => z.value === 'Asia/Kolkata')!.label).toBe('Kolkata (UTC+05:30)');
  });

  it('lists big cities under their own names too, each a choice of the zone it lives in', () => {
    const groups = zoneChoices(WINTER, 'Asia/Kolkata');
    const asia = groups.find((g) => g.label === 'Asia')!.zones;
    expect(asia.filter((z) => z.value === 'Asia/Kolkata').map((z) => [z.label, z.selected])).toEqual([
      ['Ahmedabad (Kolkata, UTC+05:30)', false],
      ['Bangalore (Kolkata, UTC+05:30)', false],
      ['Bengaluru (Kolkata, UTC+05:30)', false],
      ['Chennai (Kolkata, UTC+05:30)', false],
      ['Delhi (Kolkata, UTC+05:30)', false],
      ['Hyderabad (Kolkata, UTC+05:30)', false],
      ['Kolkata (UTC+05:30)', true],
      ['Mumbai (Kolkata, UTC+05:30)', false],
      ['New Delhi (Kolkata, UTC+05:30)', false],
      ['Pune (Kolkata, UTC+05:30)', false],
    ]);
    // Each group in the order of its labels, as the type-ahead reads them.
    for (const { zones } of groups) {
      const labels = zones.map((z) => z.label);
      expect(labels).toEqual([...labels].sort((a, b) => a.localeCompare(b, 'en')));
    }
    // Every city is a choice of a zone listed under its own name, in that zone's region.
    const listed = new Set(groups.flatMap((g) => g.zones.filter((z) => !z.label.includes(',')).map((z) => z.value)));
    for (const [city, zone] of Object.entries(CITY_ZONES)) {
      expect(listed.has(zone), `${city}: ${zone}`).toBe(true);
      const region = groups.find((g) => g.label === zone.split('/')[0])!.zones;
      expect(
        region.filter((z) => z.label.startsWith(`${city} (`)).map((z) => z.value),
        city,
      ).toEqual([zone]);
    }
  });
});

describe('the datetime and day helpers', () => {
  const at = new Date('2026-11-30T23:30:00Z');
  const page = (root: object) => ({ data: { root } });

  it("show a signed-in page's times in its member's zone", () => {
    const root = { member: { timeZone: 'Europe/Berlin' } };
    expect(viewHelpers.datetime(at, page(root))).toBe('1 Dec 2026, 00:30 CET');
    expect(viewHelpers.day(at, page(root))).toBe('2026-12-01');
  });

  it('show a signed-out page (no member) in UTC', () => {
    expect(viewHelpers.datetime(at, page({}))).toBe('30 Nov 2026, 23:30 UTC');
    expect(viewHelpers.day(at, page({}))).toBe('2026-11-30');
  });

  it("show an email's stored instant (an ISO string) in its timeZone, and a zone given in the template first", () => {
    expect(viewHelpers.datetime(at.toISOString(), page({ timeZone: 'America/New_York' }))).toBe('30 Nov 2026, 18:30 EST');
    expect(viewHelpers.datetime(at, 'Asia/Tokyo', page({ member: { timeZone: 'Europe/Berlin' } }))).toBe('1 Dec 2026, 08:30 UTC+09:00');
  });

  it('show nothing for what is not an instant', () => {
    for (const value of [undefined, null, '', 'tomorrow', '2026-11-30', new Date(Number.NaN), 1_700_000_000_000]) {
      expect(viewHelpers.datetime(value, page({}))).toBe('');
    }
  });
});
