import type { NumberNote, NumberRef, NumberSection } from '../accounts/number-extensions.service';
import type { CurrentMember } from '../common/http';
import { longDate, shortDate } from '../common/dates';
import { countdown } from './termination-date';

/** What the pages show of a number's open revocation. */
export interface OpenRevocationView {
  terminationDate: string;
  billingTimeZone: string;
  removeAt: Date;
  reason: string | null;
}

/** A revocation's termination date as people read it, a day of the contract's zone: "31 December 2026 (Europe/Berlin)". */
export function terminationDay(r: Pick<OpenRevocationView, 'terminationDate' | 'billingTimeZone'>): string {
  return `${longDate(r.terminationDate)} (${r.billingTimeZone})`;
}

/** The numbers whose revocation is requested and still counting down: only their cards get a note. */
export function requestedNumberIds(numbers: readonly NumberRef[]): string[] {
  return numbers.filter((n) => n.billingState === 'revocation_requested').map((n) => n.id);
}

/** The line on a card (and atop the details page) of a number whose revocation is requested. */
export function revocationNote(r: Pick<OpenRevocationView, 'terminationDate' | 'billingTimeZone'>, now: Date): NumberNote {
  const label = countdown(r.terminationDate, now, r.billingTimeZone).label;
  // The termination date is a calendar date of the contract's time zone: say which.
  return {
    className: 'revocation-note',
    text: `Revocation requested · terminates ${terminationDay(r)} · ${label}`,
    // Beside the "Revocation requested" badge.
    short: `Terminates ${shortDate(r.terminationDate)} · ${label}`,
  };
}

/** The Danger Zone of a number's details page, with the countdown while the revocation is requested. */
export function dangerZone(member: CurrentMember, number: NumberRef, revocation: OpenRevocationView | null, now: Date): NumberSection {
  const requested = number.billingState === 'revocation_requested' && revocation;
  return {
    partial: 'revocation/_danger_zone',
    locals: {
      number: { id: number.id, billingState: number.billingState },
      revocation,
      isOwner: member.role === 'owner',
      countdown: requested ? countdown(revocation.terminationDate, now, revocation.billingTimeZone) : null,
    },
  };
}
