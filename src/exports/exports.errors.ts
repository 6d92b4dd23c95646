import { BadRequestException, ForbiddenException } from '@nestjs/common';
import { DomainError } from '../common/domain-error';

/**
 * A download larger than what is left of the person's hourly rows: a 429 page that says how
 * much was downloaded, what this download holds and when it can be taken.
 */
export class ExportLimitReached extends DomainError {
  constructor(
    readonly retryAfterSeconds: number,
    detail: { used: string; perHour: string; rows: string; at: string },
  ) {
    const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
    super(
      'exports.rate_limited',
      `You have downloaded ${detail.used} rows in the last hour, and ${detail.perHour} an hour are allowed. ` +
        `This download has ${detail.rows} rows: you can download it in ${minutes} minute${minutes === 1 ? '' : 's'} (${detail.at}). ` +
        'A filtered download costs only the rows it holds.',
      429,
    );
  }
}

/** `?bom=` other than 0 or 1 is a malformed request, like any unknown filter value. */
export function badBomParameter(): BadRequestException {
  return new BadRequestException('"bom" can only be 0 or 1.');
}

/** A download link followed from another site: refused before anything is read or counted. */
export function crossSiteDownload(): ForbiddenException {
  return new ForbiddenException(
    'This download was started from another site. Open WhatsApp Accounts in the hub and download it from there.',
  );
}
