import { createHash, randomBytes } from 'node:crypto';
import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { UserToken } from '../auth/entities/user-token.entity';
import { LOGGER, type Logger } from '../common/logger';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { Partner } from '../partners/entities/partner.entity';
import { OutboxEmail } from './entities/outbox-email.entity';
import { MailRenderer } from './mail-renderer';
import { createMailTransport, type MailTransport } from './mail-transport';

/** How long a claim keeps other workers off a row: longer than any send takes. */
export const CLAIM_MS = 5 * 60_000;
/** Rows one run takes at most; the next run takes the rest. */
export const BATCH_SIZE = 50;
const FIRST_RETRY_MS = 30_000;
const MAX_RETRY_MS = 60 * 60_000;

export function hashToken(raw: string): string {
  return createHash('sha256').update(raw, 'utf8').digest('hex');
}

export interface SendResult {
  sent: number;
  failed: number;
  dead: number;
}

/**
 * Delivers the outbox. Each row is first claimed with a conditional UPDATE, so that when
 * several instances run at once a row is sent by exactly the one that claimed it.
 */
@Injectable()
export class MailWorker implements OnModuleDestroy {
  private transport?: MailTransport;
  private readonly renderer = new MailRenderer();

  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleDestroy() {
    this.transport?.close();
  }

  /** Sends every row due at `now` that this worker manages to claim. */
  async sendDue(now: Date): Promise<SendResult> {
    const result: SendResult = { sent: 0, failed: 0, dead: 0 };
    const em = this.em.fork({ clear: true, useContext: false });
    const due = {
      status: 'pending' as const,
      nextAttemptAt: { $lte: now },
      $or: [{ lockedUntil: null }, { lockedUntil: { $lt: now } }],
    };
    const candidates = await em.find(OutboxEmail, due, {
      fields: ['id'],
      orderBy: { nextAttemptAt: 'asc', id: 'asc' },
      limit: BATCH_SIZE,
    });
    for (const { id } of candidates) {
      const lockedUntil = new Date(now.getTime() + CLAIM_MS);
      // The claim: only one worker's UPDATE matches while the row is free and due.
      const claimed = await em.nativeUpdate(OutboxEmail, { id, ...due }, { lockedUntil });
      if (claimed !== 1) continue;
      const outcome = await this.deliver(id, now);
      result[outcome]++;
    }
    return result;
  }

  private async deliver(id: string, now: Date): Promise<keyof SendResult> {
    const em = this.em.fork({ clear: true, useContext: false });
    const row = await em.findOneOrFail(OutboxEmail, id);
    try {
      const message = await this.build(em, row);
      if (!message) {
        await em.nativeUpdate(
          OutboxEmail,
          { id },
          { status: 'dead', lockedUntil: null, lastError: 'the link in this email was replaced or used before it was sent' },
        );
        this.logger.info({ event: 'mail.skipped', outboxId: id }, 'link no longer valid: not sent');
        return 'dead';
      }
      await this.getTransport().send(message);
      await em.nativeUpdate(
        OutboxEmail,
        { id },
        { status: 'sent', sentAt: now, lockedUntil: null, attempts: row.attempts + 1, lastError: null },
      );
      this.logger.info({ event: 'mail.sent', outboxId: id, template: row.template }, 'mail sent');
      return 'sent';
    } catch (err) {
      const attempts = row.attempts + 1;
      const error = err instanceof Error ? err.message : String(err);
      if (attempts >= this.config.mail.maxAttempts) {
        await em.nativeUpdate(OutboxEmail, { id }, { status: 'dead', attempts, lockedUntil: null, lastError: error.slice(0, 2000) });
        this.logger.error({ event: 'mail.dead', outboxId: id, attempts, error }, 'mail given up');
        return 'dead';
      }
      // Exponential backoff: 30 s, 1 min, 2 min … at most an hour.
      const delay = Math.min(FIRST_RETRY_MS * 2 ** (attempts - 1), MAX_RETRY_MS);
      await em.nativeUpdate(
        OutboxEmail,
        { id },
        { attempts, lockedUntil: null, nextAttemptAt: new Date(now.getTime() + delay), lastError: error.slice(0, 2000) },
      );
      this.logger.warn({ event: 'mail.retry', outboxId: id, attempts, error }, 'mail failed, will retry');
      return 'failed';
    }
  }

  /**
   * Renders the message. A row with a token gets a fresh secret now: only its hash is stored,
   * the raw value exists only in the message. Returns null when the token is no longer usable.
   */
  private async build(em: EntityManager, row: OutboxEmail) {
    const payload = row.payload ?? {};
    const locals: Record<string, unknown> = { ...payload, baseUrl: this.config.baseUrl };
    if (row.partner && locals.partnerName === undefined) {
      locals.partnerName = (await em.findOne(Partner, row.partner.id))?.name;
    }
    if (row.token) {
      const raw = randomBytes(32).toString('base64url');
      const updated = await em.nativeUpdate(UserToken, { id: row.token.id, consumedAt: null }, { tokenHash: hashToken(raw) });
      if (updated !== 1) return null;
      // Links are built from APP_BASE_URL, never from a request's Host header. The link goes
      // into the message only: not returned beside it, so no caller can log it.
      locals.link = `${this.config.baseUrl}${String(payload.linkPath ?? '')}/${raw}`;
    }
    const { html, text } = this.renderer.render(row.template, locals);
    return { id: row.id, to: row.toAddress, subject: String(payload.subject ?? 'Partner Hub'), html, text };
  }

  private getTransport(): MailTransport {
    return (this.transport ??= createMailTransport(this.config, this.logger));
  }

  /** Counts by status and the rows given up on, for `mail:status`. */
  async status(): Promise<{ counts: Record<string, number>; dead: OutboxEmail[] }> {
    const em = this.em.fork();
    const counts: Record<string, number> = {};
    for (const status of ['pending', 'sent', 'dead'] as const) counts[status] = await em.count(OutboxEmail, { status });
    const dead = await em.find(OutboxEmail, { status: 'dead' }, { orderBy: { updatedAt: 'desc' }, limit: 100 });
    return { counts, dead };
  }
}
