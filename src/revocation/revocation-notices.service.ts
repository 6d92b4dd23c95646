import type { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';
import { longDate } from '../common/dates';
import { LOGGER, type Logger } from '../common/logger';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { OutboxService, type OutgoingEmail } from '../mail/outbox.service';
import { phoneView } from '../accounts';

/** The number as people read it: "+49 151 23456789". */
const phoneText = (notice: { phoneNumber: string }) => phoneView(notice.phoneNumber).formatted;

/** What every notice to a client says about the number and who stops paying for it. */
export interface NoticeSubject {
  partnerId: string;
  partnerName: string;
  contactEmail: string | null | undefined;
  clientName: string;
  phoneNumber: string;
  displayName: string | null | undefined;
  terminationDate: string;
  timeZone: string;
}

/** The notice that billing ended, from a row the finalizer claimed. */
export type BillingEndedNotice = NoticeSubject & { removalDate: string };

/**
 * The emails of a revocation to the client's contact address, queued in the caller's
 * transaction (the outbox sends them after it commits). A client without a contact address is
 * not emailed, and that is logged.
 */
@Injectable()
export class RevocationNotices {
  constructor(
    private readonly outbox: OutboxService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Requested: the client must add its own payment method or terminate. Whether it was emailed. */
  requested(em: EntityManager, notice: NoticeSubject & { removalDate: string }): boolean {
    return this.queue(em, 'revocation_requested', `Action needed: ${notice.partnerName} stops paying for ${phoneText(notice)}`, notice);
  }

  /** Withdrawn: the partner keeps paying. Whether it was emailed. */
  withdrawn(em: EntityManager, notice: NoticeSubject): boolean {
    return this.queue(em, 'revocation_withdrawn', `${notice.partnerName} keeps paying for ${phoneText(notice)}`, notice);
  }

  /** Billing ended, for a whole batch of the finalizer: one multi-row INSERT. */
  async billingEnded(em: EntityManager, notices: BillingEndedNotice[], now: Date): Promise<void> {
    const emails: OutgoingEmail[] = [];
    for (const notice of notices) {
      const email = this.email('revocation_billing_ended', `${notice.partnerName} no longer pays for ${phoneText(notice)}`, notice);
      if (email) emails.push(email);
    }
    await this.outbox.enqueueMany(em, emails, now);
  }

  private queue(em: EntityManager, template: string, subject: string, notice: NoticeSubject): boolean {
    const email = this.email(template, subject, notice);
    if (email) this.outbox.enqueue(em, email);
    return !!email;
  }

  /** The email to the client's contact address, or null for a client without one (logged). */
  private email(template: string, subject: string, notice: NoticeSubject & { removalDate?: string }): OutgoingEmail | null {
    const { contactEmail, partnerId, ...payload } = notice;
    if (!contactEmail) {
      this.logger.warn({ event: 'revocation.no_contact_email', template, partnerId }, 'client has no contact email: not emailed');
      return null;
    }
    // Dates and the phone are formatted here: the mail templates need no helpers.
    const dates: Record<string, string> = { terminationDateText: longDate(payload.terminationDate), phoneText: phoneText(notice) };
    if (payload.removalDate !== undefined) dates.removalDateText = longDate(payload.removalDate);
    return { to: contactEmail, template, subject, partnerId, payload: { ...payload, ...dates, ...this.config.revocationLinks } };
  }
}
