import type { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { UserToken } from '../auth/entities/user-token.entity';
import { Clock } from '../common/clock';
import { Partner } from '../partners/entities/partner.entity';
import { OutboxEmail } from './entities/outbox-email.entity';

export interface OutgoingEmail {
  to: string;
  /** Names views/mail/<template>_html.hbs and views/mail/<template>_text.hbs. */
  template: string;
  subject: string;
  partnerId?: string | null;
  /** Template locals. Never a raw token: pass `tokenId` and `linkPath` instead. */
  payload?: Record<string, unknown>;
  /** The token row whose secret the worker makes when it builds the message. */
  tokenId?: string;
  /** With tokenId: the link is APP_BASE_URL + linkPath + '/' + the fresh token. */
  linkPath?: string;
}

/**
 * Queues an email in the caller's transaction: it is sent if and only if the change that
 * caused it commits.
 */
@Injectable()
export class OutboxService {
  constructor(private readonly clock: Clock) {}

  enqueue(em: EntityManager, email: OutgoingEmail): OutboxEmail {
    const row = new OutboxEmail(email.to, email.template, { ...email.payload, subject: email.subject, linkPath: email.linkPath });
    const now = this.clock.now();
    row.createdAt = row.updatedAt = row.nextAttemptAt = now;
    row.partner = email.partnerId ? em.getReference(Partner, email.partnerId) : null;
    row.token = email.tokenId ? em.getReference(UserToken, email.tokenId) : null;
    em.persist(row);
    return row;
  }
}
