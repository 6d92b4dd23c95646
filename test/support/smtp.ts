import type { AddressInfo, Socket } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  to: string[];
  subject: string;
  /** The Message-ID header, with its angle brackets. */
  messageId: string;
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
  /** Makes the next `n` deliveries (to `to`, or to anyone) fail with a temporary error (451). */
  failNext(n: number, to?: string): void;
  /** Makes the next `n` deliveries (to `to`, or to anyone) be refused for good (550). */
  rejectNext(n: number, to?: string): void;
  /**
   * The next `n` messages (to `to`, or to anyone) are read but never answered: the client
   * waits until its socket timeout and hangs up, and the message is not delivered.
   */
  stallNext(n: number, to?: string): void;
  /** The next `n` messages are kept (delivered), then the connection drops before the 250 reply. */
  dropNext(n: number, to?: string): void;
  /** From now on every message waits for release() before it is answered (and delivered). */
  hold(): void;
  /** Answers every held message (delivering those whose client is still connected) and stops holding. */
  release(): void;
  /** Messages waiting for release(), and messages stalled so far. */
  readonly held: number;
  readonly stalled: number;
  /** Waits until `predicate` holds, polling (a limit, never a timing assertion). */
  until(predicate: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

type Fault = 'fail' | 'reject' | 'stall' | 'drop';

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
  const faults: { kind: Fault; to?: string; left: number }[] = [];
  const sockets = new Map<number, Socket>();
  let holding = false;
  const heldReplies: (() => void)[] = [];
  let stalled = 0;
  const faultFor = (rcpt: string[]): Fault | undefined => {
    const f = faults.find((x) => x.left > 0 && (!x.to || rcpt.includes(x.to)));
    if (!f) return undefined;
    f.left--;
    return f.kind;
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const rcpt = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
      const socket = session.remotePort === undefined ? undefined : sockets.get(session.remotePort);
      const fault = faultFor(rcpt);
      if (fault === 'fail' || fault === 'reject' || fault === 'stall') {
        stream.resume();
        stream.on('end', () => {
          if (fault === 'stall') return void stalled++;
          const [code, text] = fault === 'fail' ? [451, 'try again later'] : [550, 'mailbox unavailable'];
          callback(Object.assign(new Error(text), { responseCode: code }));
        });
        return;
      }
      simpleParser(stream)
        .then((parsed) => {
          const mail: CapturedMail = {
            to: rcpt,
            subject: parsed.subject ?? '',
            messageId: parsed.messageId ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            parsed,
          };
          if (fault === 'drop') {
            // The server took the message; its answer never reaches the client.
            messages.push(mail);
            socket?.destroy();
            return;
          }
          const answer = () => {
            // A client that hung up before the answer did not hand the message over.
            if (socket?.destroyed) return;
            messages.push(mail);
            callback();
          };
          if (holding) heldReplies.push(answer);
          else answer();
        })
        .catch(callback);
    },
  });
  server.server.on('connection', (socket: Socket) => {
    if (socket.remotePort === undefined) return;
    const port = socket.remotePort;
    sockets.set(port, socket);
    socket.on('close', () => sockets.get(port) === socket && sockets.delete(port));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const to = (address: string) => messages.filter((m) => m.to.includes(address.toLowerCase()));
  const add = (kind: Fault, n: number, address?: string) => void faults.push({ kind, left: n, to: address?.toLowerCase() });
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
    failNext: (n, address) => add('fail', n, address),
    rejectNext: (n, address) => add('reject', n, address),
    stallNext: (n, address) => add('stall', n, address),
    dropNext: (n, address) => add('drop', n, address),
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      for (const answer of heldReplies.splice(0)) answer();
    },
    get held() {
      return heldReplies.length;
    },
    get stalled() {
      return stalled;
    },
    async until(predicate, what, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > until) throw new Error(`${what}: not within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        heldReplies.length = 0;
        for (const socket of sockets.values()) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
