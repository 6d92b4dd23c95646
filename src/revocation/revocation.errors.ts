import { DomainError } from '../common/domain-error';
import { terminationDay, type OpenRevocationView } from './revocation.presenter';

/** What a refusal says of a revocation's termination date. */
type TerminationDay = Pick<OpenRevocationView, 'terminationDate' | 'billingTimeZone'>;

/** A revocation refused because of the number's state: nothing was changed. */
export class RevocationConflict extends DomainError {
  constructor(code: string, message: string) {
    super(code, message, 409);
  }
}

/** A form field the owner must correct: the form is re-rendered with the message beside it (422). */
export class RevocationFieldError extends DomainError {
  constructor(
    readonly field: 'confirmation' | 'reason',
    message: string,
  ) {
    super(`revocation.${field}`, message, 422);
  }
}

export const RevocationErrors = {
  /** With the termination date as the pages write it, a day of the contract's zone: "31 December 2026 (UTC)". */
  alreadyRequested: (open: TerminationDay | null) =>
    new RevocationConflict(
      'revocation.already_requested',
      open
        ? `Revocation was already requested for this number: its termination date is ${terminationDay(open)}. Nothing was changed.`
        : 'Revocation was already requested for this number. Nothing was changed.',
    ),
  billingEnded: () =>
    new RevocationConflict(
      'revocation.billing_ended',
      'Billing for this number has already ended after its revocation; it leaves the hub after the grace period. Nothing was changed.',
    ),
  removed: () =>
    new RevocationConflict('revocation.removed', 'This number was removed from the hub after its revocation. Nothing was changed.'),
  notRequested: () =>
    new RevocationConflict('revocation.not_requested', 'There is no open revocation request for this number. Nothing was changed.'),
  /** With the termination date as the pages write it, as `alreadyRequested` does. */
  tooLateToWithdraw: (revocation: TerminationDay) =>
    new RevocationConflict(
      'revocation.too_late',
      `Its termination date, ${terminationDay(revocation)}, has passed: the revocation can no longer be withdrawn. Nothing was changed.`,
    ),
  /** The API's request named a termination date (a dry run's) that a request made now no longer gets. */
  terminationDateMoved: (terminationDate: string, expected: string) =>
    new RevocationConflict(
      'revocation.termination_date',
      `A request made now terminates on ${terminationDate}, not ${expected}. Nothing was changed.`,
    ),
  wrongConfirmation: () =>
    new RevocationFieldError('confirmation', 'Type the phone number shown above (spaces, dashes and the + do not matter).'),
  reasonTooLong: () => new RevocationFieldError('reason', 'The reason must be at most 500 characters.'),
  reasonUnsafe: () =>
    new RevocationFieldError('reason', 'The reason contains control, text-direction or invisible characters: type it without them.'),
};
