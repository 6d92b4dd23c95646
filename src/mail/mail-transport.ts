import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { AppConfig } from '../config/config';
import type { Logger } from '../common/logger';

export interface Message {
  id: string;
  /** `<outbox-id@host of APP_BASE_URL>`: the same in every copy, so a resend is recognisable. */
  messageId: string;
  to: string;
  subject: string;
  html: string;
  text: string;
}

export interface MailTransport {
  send(message: Message): Promise<void>;
  close(): void;
}

/** The transport the worker sends through: a provider, so a test can stand in for the server. */
export const MAIL_TRANSPORT = Symbol('MailTransport');

/**
 * SMTP when SMTP_URL is set; otherwise .eml files in MAIL_DIR (development and tests: config
 * refuses production without SMTP_URL). The log names the file, never the link: it holds a
 * working token, and whoever reads the logs must not be able to reset a password.
 */
export function createMailTransport(config: AppConfig, logger: Logger): MailTransport {
  if (config.mail.smtpUrl) {
    // nodemailer waits up to 2 min to connect and 10 min for each reply by default: longer
    // than a claim. connectionTimeout covers DNS, connecting, the greeting and STARTTLS (the
    // greeting's own limit is cut short by what is left of it); socketTimeout bounds the wait
    // for every later reply. Together they bound a send (see worstSendMs in mail-worker).
    const smtp: Transporter = nodemailer.createTransport({
      url: config.mail.smtpUrl,
      connectionTimeout: config.mail.connectTimeoutMs,
      greetingTimeout: config.mail.connectTimeoutMs,
      socketTimeout: config.mail.socketTimeoutMs,
    });
    return {
      async send(m) {
        await smtp.sendMail({ from: config.mail.from, to: m.to, subject: m.subject, html: m.html, text: m.text, messageId: m.messageId });
      },
      close: () => smtp.close(),
    };
  }
  const files: Transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const dir = resolve(config.mail.dir);
  return {
    async send(m) {
      const info = await files.sendMail({
        from: config.mail.from,
        to: m.to,
        subject: m.subject,
        html: m.html,
        text: m.text,
        messageId: m.messageId,
      });
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${m.id}.eml`);
      writeFileSync(file, info.message as Buffer, { mode: 0o600 });
      logger.info({ event: 'mail.written', outboxId: m.id, file }, `mail written to ${file}: open it for the link`);
    },
    close: () => files.close(),
  };
}
