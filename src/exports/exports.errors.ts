import { BadRequestException } from '@nestjs/common';
import { DomainError } from '../common/domain-error';

/** Exports one person may start in a rolling hour. */
export const EXPORTS_PER_HOUR = 10;

/** The 11th download within an hour: a 429 page that says when the next one is possible. */
export class ExportLimitReached extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
    super(
      'exports.rate_limited',
      `You have downloaded the accounts CSV ${EXPORTS_PER_HOUR} times in the last hour, the most allowed. ` +
        `You can download it again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
      429,
    );
  }
}

/** `?bom=` other than 0 or 1 is a malformed request, like any unknown filter value. */
export function badBomParameter(): BadRequestException {
  return new BadRequestException('"bom" can only be 0 or 1.');
}
