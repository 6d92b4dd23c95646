import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  parsed: ParsedMail;
}

export interface TestSmtp {
  url: string;
  messages: CapturedMail[];
  /** Messages to this address so far. */
  to(address: string): CapturedMail[];
  /** Waits until `count` messages (default 1) went to this address; returns the last of them. */
  waitFor(address: string, count?: number, timeoutMs?: number): Promise<CapturedMail>;
  /** The latest message to this address; throws when there is none. */
  last(address: string): CapturedMail;
  /** Makes the next `n` deliveries fail with a temporary error. */
  failNext(n: number): void;
  close(): Promise<void>;
}

/** The first http(s) link in a message's text part. */
export function linkIn(mail: CapturedMail): string {
  const match = /https?:\/\/\S+/.exec(mail.text);
  if (!match) throw new Error(`no link in "${mail.subject}"`);
  return match[0];
}

/** The path of the link in a message (for supertest, which talks to the app directly). */
export function linkPathIn(mail: CapturedMail): string {
  const url = new URL(linkIn(mail));
  return url.pathname;
}

/** A real SMTP server on a free port that keeps every message it accepts, parsed. */
export async function startSmtp(): Promise<TestSmtp> {
  const messages: CapturedMail[] = [];
  let failures = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      if (failures > 0) {
        failures--;
        stream.resume();
        stream.on('end', () => {
          const err = Object.assign(new Error('try again later'), { responseCode: 451 });
          callback(err);
        });
        return;
      }
      simpleParser(stream)
        .then((parsed) => {
          messages.push({
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            parsed,
          });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const to = (address: string) => messages.filter((m) => m.to.includes(address.toLowerCase()));
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    to,
    last(address) {
      const got = to(address);
      if (!got.length) throw new Error(`no message to ${address}`);
      return got[got.length - 1];
    },
    async waitFor(address, count = 1, timeoutMs = 5000) {
      const want = count;
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const got = to(address);
        if (got.length >= want) return got[got.length - 1];
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no message #${want} to ${address} within ${timeoutMs} ms (got ${to(address).length})`);
    },
    failNext(n) {
      failures = n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
