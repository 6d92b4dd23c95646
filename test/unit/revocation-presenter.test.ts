import { describe, expect, it } from 'vitest';
import type { CurrentMember } from '../../src/common/http';
import { dangerZone, requestedNumberIds, revocationNote } from '../../src/revocation/revocation.presenter';

const NOW = new Date('2026-12-01T12:00:00.000Z');
const open = { terminationDate: '2026-12-31', billingTimeZone: 'UTC', removeAt: new Date('2027-01-15T00:00:00Z'), reason: null };
const owner = { role: 'owner', partnerId: 'p' } as CurrentMember;

describe('the revocation note on a card', () => {
  it('shows the termination date and the days left, and in short for the table beside its badge', () => {
    expect(revocationNote(open, NOW)).toEqual({
      className: 'revocation-note',
      text: 'Revocation requested · terminates 31 December 2026 (UTC) · 30 days left',
      short: 'Terminates 31 Dec 2026 · 30 days left',
    });
  });

  it('counts the days in the billing time zone of the revocation', () => {
    const late = new Date('2026-12-30T12:00:00.000Z');
    expect(revocationNote(open, late).text).toMatch(/· 1 day left$/);
    // Already 31 December in Kiritimati (UTC+14).
    expect(revocationNote({ ...open, billingTimeZone: 'Pacific/Kiritimati' }, late).text).toMatch(/· Last day today$/);
  });

  it('says the revocation ended once the termination date has passed', () => {
    expect(revocationNote(open, new Date('2027-01-02T00:00:00.000Z')).text).toMatch(/· Ended$/);
  });

  it('is asked only for numbers whose revocation is requested, not once billing has ended', () => {
    const numbers = [
      { id: 'paid', billingState: 'partner_paid' },
      { id: 'requested', billingState: 'revocation_requested' },
      { id: 'ended', billingState: 'partner_billing_ended' },
    ] as const;
    expect(requestedNumberIds(numbers)).toEqual(['requested']);
  });
});

describe('the Danger Zone section', () => {
  it('renders the revocation partial with the countdown while the revocation is requested', () => {
    const section = dangerZone(owner, { id: 'n', billingState: 'revocation_requested' }, open, NOW);
    expect(section.partial).toBe('revocation/_danger_zone');
    expect(section.locals).toEqual({
      number: { id: 'n', billingState: 'revocation_requested' },
      revocation: open,
      isOwner: true,
      countdown: { daysLeft: 30, label: '30 days left' },
    });
  });

  it('has no countdown once billing has ended, and tells a member apart from an owner', () => {
    const member = { ...owner, role: 'member' } as CurrentMember;
    const section = dangerZone(member, { id: 'n', billingState: 'partner_billing_ended' }, open, NOW);
    expect(section.locals).toMatchObject({ isOwner: false, countdown: null, revocation: open });
  });
});
