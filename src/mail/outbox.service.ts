import type { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { newId } from '../common/ids';
import { Sql } from '../database/sql';
import { OutboxEmail } from './entities/outbox-email.entity';

export interface OutgoingEmail {
  to: string;
  /** Names views/mail/<template>_html.hbs and views/mail/<template>_text.hbs. */
  template: string;
  subject: string;
  partnerId?: string | null;
  /**
   * Template locals, complete when queued (the partner's name too): the worker reads no other
   * table. Never a raw token: pass `tokenId` and `linkPath` instead. Instants go as ISO strings
   * with `timeZone`, the zone the recipient reads in (a person's choice, else the partner's
   * billing time zone): the `datetime` helper shows them there, with the zone named.
   */
  payload?: Record<string, unknown>;
  /** The token whose secret the link issuer gives when the message is built (MailLinkIssuer). */
  tokenId?: string;
  /** With tokenId: the link is APP_BASE_URL + linkPath + '/' + the token's secret. */
  linkPath?: string;
}

/**
 * The extension point for links in emails, implemented by the module that owns the tokens
 * (auth's TokensService) and wired by the composition root (MailDeliveryModule.forRoot). It is
 * asked each time a message with a `tokenId` is built, on the worker's entity manager, and must
 * give the same secret every time, so that a second copy of an email keeps the first one's link
 * working.
 */
export interface MailLinkIssuer {
  /** The secret for the link of `tokenId`, recorded as usable; null once the token is used or replaced. */
  linkSecret(em: EntityManager, tokenId: string): Promise<string | null>;
}

export const MAIL_LINK_ISSUER = Symbol('MailLinkIssuer');

// It picks at most `limit` rows and deletes them in the same statement, so the condition is
// checked as the rows go: run on several instances at once, it deletes nothing twice.
const OLD_EMAILS = `delete from outbox_email where id in (
  select id from outbox_email
  where (status = 'sent' and sent_at <= ?) or (status = 'dead' and next_attempt_at <= ?)
  limit ?)`;

/**
 * Queues an email in the caller's transaction: it is sent if and only if the change that
 * caused it commits.
 */
@Injectable()
export class OutboxService {
  constructor(
    private readonly clock: Clock,
    private readonly sql: Sql,
  ) {}

  /**
   * Deletes the emails sent, or given up (dead, their last attempt due then), before `cutoff`,
   * `batchSize` per statement (housekeeping); pending emails always stay. Returns how many went.
   */
  prune(cutoff: Date, batchSize: number): Promise<number> {
    return this.sql.deleteInBatches(OLD_EMAILS, [cutoff, cutoff], batchSize);
  }

  /** Of these tokens, those whose email the mail server refused for good or that were given up after every retry. */
  async givenUp(em: EntityManager, tokenIds: string[]): Promise<Set<string>> {
    if (!tokenIds.length) return new Set();
    const rows = await em.find(OutboxEmail, { tokenId: { $in: tokenIds }, status: 'dead' }, { fields: ['tokenId'] });
    return new Set(rows.map((r) => r.tokenId!));
  }

  enqueue(em: EntityManager, email: OutgoingEmail): OutboxEmail {
    return em.create(OutboxEmail, this.row(email, this.clock.now()));
  }

  /**
   * Many emails at once, for a job's batch: one multi-row INSERT in the caller's transaction
   * (see AuditService.recordMany), due at `at`, the time the job runs as.
   */
  async enqueueMany(em: EntityManager, emails: OutgoingEmail[], at: Date): Promise<void> {
    if (emails.length)
      await em.insertMany(
        OutboxEmail,
        emails.map((email) => this.row(email, at)),
      );
  }

  private row(email: OutgoingEmail, at: Date) {
    return {
      id: newId(),
      createdAt: at,
      updatedAt: at,
      toAddress: email.to,
      template: email.template,
      payload: { ...email.payload, subject: email.subject, linkPath: email.linkPath },
      partnerId: email.partnerId ?? null,
      tokenId: email.tokenId ?? null,
      status: 'pending' as const,
      attempts: 0,
      nextAttemptAt: at,
    };
  }
}
