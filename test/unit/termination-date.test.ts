import { describe, expect, it } from 'vitest';
import { localDate, startOfLocalDay } from '../../src/common/dates';
import { countdown, revocationSchedule, type RevocationTerms } from '../../src/revocation/termination-date';

const terms = (over: Partial<RevocationTerms> = {}): RevocationTerms => ({
  noticeDays: 30,
  alignment: 'none',
  removalGraceDays: 14,
  billingTimeZone: 'UTC',
  ...over,
});

const iso = (d: Date) => d.toISOString();

describe('the termination date', () => {
  it('follows the example of DESIGN.md: 30 days, end of month, UTC', () => {
    const s = revocationSchedule(new Date('2026-11-26T10:00:00Z'), terms({ alignment: 'end_of_month' }));
    expect(s.terminationDate).toBe('2026-12-31');
    expect(iso(s.billingEndsAt)).toBe('2027-01-01T00:00:00.000Z');
    expect(iso(s.removeAt)).toBe('2027-01-15T00:00:00.000Z');
  });

  it('adds the notice days to the local date without alignment', () => {
    const s = revocationSchedule(new Date('2026-11-26T10:00:00Z'), terms());
    expect(s.terminationDate).toBe('2026-12-26');
    expect(iso(s.billingEndsAt)).toBe('2026-12-27T00:00:00.000Z');
    expect(iso(s.removeAt)).toBe('2027-01-10T00:00:00.000Z');
  });

  it.each([
    ['2027-01-01T12:00:00Z', 30, '2027-01-31'],
    ['2027-01-30T12:00:00Z', 0, '2027-01-31'],
    ['2027-01-31T12:00:00Z', 0, '2027-01-31'],
    ['2027-02-01T12:00:00Z', 0, '2027-02-28'],
    ['2027-03-31T12:00:00Z', 30, '2027-04-30'],
    ['2027-12-15T12:00:00Z', 20, '2028-01-31'],
  ])('aligns %s + %i days to the month end %s', (at, noticeDays, expected) => {
    expect(revocationSchedule(new Date(at), terms({ noticeDays, alignment: 'end_of_month' })).terminationDate).toBe(expected);
  });

  it('knows the leap day 2028-02-29, with and without alignment', () => {
    expect(revocationSchedule(new Date('2028-01-30T09:00:00Z'), terms()).terminationDate).toBe('2028-02-29');
    expect(revocationSchedule(new Date('2028-02-01T09:00:00Z'), terms({ alignment: 'end_of_month' })).terminationDate).toBe('2028-03-31');
    expect(revocationSchedule(new Date('2028-02-10T09:00:00Z'), terms({ noticeDays: 0, alignment: 'end_of_month' })).terminationDate).toBe(
      '2028-02-29',
    );
    const s = revocationSchedule(new Date('2028-02-28T09:00:00Z'), terms({ noticeDays: 1 }));
    expect(s.terminationDate).toBe('2028-02-29');
    expect(iso(s.billingEndsAt)).toBe('2028-03-01T00:00:00.000Z');
    // 2027 has no leap day: the month ends on the 28th.
    expect(revocationSchedule(new Date('2027-02-10T09:00:00Z'), terms({ noticeDays: 0, alignment: 'end_of_month' })).terminationDate).toBe(
      '2027-02-28',
    );
  });

  it('with notice 0 ends billing at the end of the day of the request', () => {
    const s = revocationSchedule(new Date('2026-11-26T23:59:59Z'), terms({ noticeDays: 0, removalGraceDays: 0 }));
    expect(s.terminationDate).toBe('2026-11-26');
    expect(iso(s.billingEndsAt)).toBe('2026-11-27T00:00:00.000Z');
    expect(iso(s.removeAt)).toBe('2026-11-27T00:00:00.000Z');
  });

  it('with notice 365 days crosses a year (and a leap day)', () => {
    expect(revocationSchedule(new Date('2026-11-26T10:00:00Z'), terms({ noticeDays: 365 })).terminationDate).toBe('2027-11-26');
    expect(revocationSchedule(new Date('2027-06-01T10:00:00Z'), terms({ noticeDays: 365 })).terminationDate).toBe('2028-05-31');
    expect(
      revocationSchedule(new Date('2027-06-01T10:00:00Z'), terms({ noticeDays: 365, alignment: 'end_of_month' })).terminationDate,
    ).toBe('2028-05-31');
  });

  it('ends billing at Berlin midnight across the spring change of 2027-03-28', () => {
    // Billing ends when 2027-03-28 ends: the clocks went forward that night, so midnight is CEST.
    const s = revocationSchedule(new Date('2027-02-26T12:00:00Z'), terms({ billingTimeZone: 'Europe/Berlin' }));
    expect(s.terminationDate).toBe('2027-03-28');
    expect(iso(s.billingEndsAt)).toBe('2027-03-28T22:00:00.000Z');
    expect(iso(s.removeAt)).toBe('2027-04-11T22:00:00.000Z');
    // The day before the change still ends at CET midnight.
    const before = revocationSchedule(new Date('2027-02-25T12:00:00Z'), terms({ billingTimeZone: 'Europe/Berlin' }));
    expect(before.terminationDate).toBe('2027-03-27');
    expect(iso(before.billingEndsAt)).toBe('2027-03-27T23:00:00.000Z');
  });

  it('uses the offset of the removal date, not of the termination date, across the autumn change', () => {
    // Termination in October (CEST), removal after the change to CET.
    const s = revocationSchedule(new Date('2027-09-20T12:00:00Z'), terms({ billingTimeZone: 'Europe/Berlin' }));
    expect(s.terminationDate).toBe('2027-10-20');
    expect(iso(s.billingEndsAt)).toBe('2027-10-20T22:00:00.000Z');
    expect(iso(s.removeAt)).toBe('2027-11-03T23:00:00.000Z');
  });

  it('works in America/New_York on both sides of its changes (2027-03-14 and 2027-11-07)', () => {
    const spring = revocationSchedule(new Date('2027-02-12T15:00:00Z'), terms({ billingTimeZone: 'America/New_York' }));
    expect(spring.terminationDate).toBe('2027-03-14');
    expect(iso(spring.billingEndsAt)).toBe('2027-03-15T04:00:00.000Z');
    const autumn = revocationSchedule(new Date('2027-10-08T15:00:00Z'), terms({ billingTimeZone: 'America/New_York' }));
    expect(autumn.terminationDate).toBe('2027-11-07');
    expect(iso(autumn.billingEndsAt)).toBe('2027-11-08T05:00:00.000Z');
    const eom = revocationSchedule(
      new Date('2027-02-12T15:00:00Z'),
      terms({ billingTimeZone: 'America/New_York', alignment: 'end_of_month' }),
    );
    expect(eom.terminationDate).toBe('2027-03-31');
    expect(iso(eom.billingEndsAt)).toBe('2027-04-01T04:00:00.000Z');
  });

  it('takes the local date of the request: just before and just after local midnight', () => {
    const ny = terms({ billingTimeZone: 'America/New_York', noticeDays: 0 });
    // 04:59:59Z on 27 Nov is 23:59:59 on 26 Nov in New York (EST, UTC-5).
    expect(revocationSchedule(new Date('2026-11-27T04:59:59Z'), ny).terminationDate).toBe('2026-11-26');
    expect(revocationSchedule(new Date('2026-11-27T05:00:00Z'), ny).terminationDate).toBe('2026-11-27');
    const berlin = terms({ billingTimeZone: 'Europe/Berlin', noticeDays: 0 });
    // 22:59:59Z is 23:59:59 in Berlin (CET, UTC+1); 23:00Z is already the next day.
    expect(revocationSchedule(new Date('2026-11-26T22:59:59Z'), berlin).terminationDate).toBe('2026-11-26');
    expect(revocationSchedule(new Date('2026-11-26T23:00:00Z'), berlin).terminationDate).toBe('2026-11-27');
    expect(iso(revocationSchedule(new Date('2026-11-26T23:00:00Z'), berlin).billingEndsAt)).toBe('2026-11-27T23:00:00.000Z');
  });

  it('finds the start of a day whose midnight a daylight-saving jump skips', () => {
    // America/Santiago moved from -04 to -03 at local midnight on 2026-09-06: the day starts at 01:00.
    const start = startOfLocalDay('2026-09-06', 'America/Santiago');
    expect(localDate(start, 'America/Santiago')).toBe('2026-09-06');
    expect(localDate(new Date(start.getTime() - 1000), 'America/Santiago')).toBe('2026-09-05');
  });
});

describe('the countdown', () => {
  it('counts local days left until the termination date', () => {
    expect(countdown('2026-12-31', new Date('2026-11-26T10:00:00Z'))).toEqual({ daysLeft: 35, label: '35 days left' });
    expect(countdown('2026-12-31', new Date('2026-12-30T23:59:00Z')).label).toBe('1 day left');
    expect(countdown('2026-12-31', new Date('2026-12-31T00:00:00Z')).label).toBe('Last day today');
    expect(countdown('2026-12-31', new Date('2027-01-01T00:00:00Z'))).toEqual({ daysLeft: -1, label: 'Ended' });
    // 23:30Z on the 30th is already the 31st in Berlin.
    expect(countdown('2026-12-31', new Date('2026-12-30T23:30:00Z'), 'Europe/Berlin').daysLeft).toBe(0);
  });
});
