import { describe, expect, it } from 'vitest';
import { createLogger, scrubSecrets } from '../../src/common/logger';

const RESET_TOKEN = 'rT0k3n_reset-AbCdEfGhIjKlMnOpQrStUvWxYz0123456';
const INVITE_TOKEN = 'iNv1te_token-ZyXwVuTsRqPoNmLkJiHgFeDcBa9876543';
const RESET_LINK = `https://hub.example.com/password/reset/${RESET_TOKEN}`;
const INVITE_LINK = `https://hub.example.com/invitations/${INVITE_TOKEN}`;

/** A logger writing to memory, as production writes to stdout; returns the one line it wrote. */
function logged(write: (logger: ReturnType<typeof createLogger>) => void): { line: string; json: Record<string, unknown> } {
  const lines: string[] = [];
  write(createLogger('info', { write: (line: string) => void lines.push(line) }));
  expect(lines).toHaveLength(1);
  return { line: lines[0], json: JSON.parse(lines[0]) as Record<string, unknown> };
}

describe('the logger', () => {
  it('keeps a reset link’s and an invitation link’s token out of fields and the message, keeping the rest', () => {
    const { line, json } = logged((l) =>
      l.info(
        { event: 'mail.written', outboxId: 'ob-1', url: RESET_LINK, note: `open ${INVITE_LINK} to join` },
        `mail with ${RESET_LINK} written`,
      ),
    );
    expect(line).not.toContain(RESET_TOKEN);
    expect(line).not.toContain(INVITE_TOKEN);
    expect(json).toMatchObject({
      event: 'mail.written',
      outboxId: 'ob-1',
      url: 'https://hub.example.com/password/reset/[redacted]',
      note: 'open https://hub.example.com/invitations/[redacted] to join',
      msg: 'mail with https://hub.example.com/password/reset/[redacted] written',
    });
  });

  it('censors secret keys whatever their value: link, password, token, cookie, authorization, session id, secret, API key', () => {
    const { line, json } = logged((l) =>
      l.info(
        {
          event: 'x',
          link: 'https://hub.example.com/somewhere',
          password: 'hunter2-horse-battery',
          token: 'plain-token-value',
          sid: 'session-id-value',
          sessionId: 'another-session-id',
          secret: 'top-secret-value',
          apiKey: 'some-key-value',
          body: { email: 'ann@example.com', password: 'body-password-1', current: 'current-password-2', confirm: 'confirm-password-3' },
          req: {
            method: 'POST',
            headers: {
              cookie: 'hub.sid=s%3Acookie-session-id.signature',
              authorization: 'Token raw-credential',
              'x-csrf-token': 'csrf-value',
            },
          },
          headers: { 'set-cookie': 'hub.sid=s%3Aset-cookie-id.sig; Path=/' },
        },
        'request',
      ),
    );
    for (const secret of [
      'somewhere',
      'hunter2-horse-battery',
      'plain-token-value',
      'session-id-value',
      'another-session-id',
      'top-secret-value',
      'some-key-value',
      'body-password-1',
      'current-password-2',
      'confirm-password-3',
      'cookie-session-id',
      'raw-credential',
      'csrf-value',
      'set-cookie-id',
    ]) {
      expect(line).not.toContain(secret);
    }
    expect(json).toMatchObject({
      event: 'x',
      link: '[redacted]',
      body: { email: 'ann@example.com' },
      req: { method: 'POST' },
      msg: 'request',
    });
  });

  it('scrubs API keys, Bearer credentials, URL passwords, session and known-browser cookies inside free text', () => {
    const { line, json } = logged((l) =>
      l.warn(
        {
          event: 'api.rejected',
          detail: 'key phk_live_abc_def and phk_op_0123_s3cr3t-Value were revoked',
          header: 'Authorization: Bearer xyz.abc-123',
          cookies: 'theme=dark; __Host-hub.sid=s%3AsEsSiOnId.sIgNaTuRe; lang=en; hub.browser=bRoWsErId.mAc',
        },
        'could not reach smtps://mailer:smtp-pa55word@smtp.example.com:465 for ann@example.com',
      ),
    );
    for (const secret of ['abc_def', 's3cr3t', 'xyz', 'smtp-pa55word', 'sEsSiOnId', 'bRoWsErId']) expect(line).not.toContain(secret);
    expect(json).toMatchObject({
      event: 'api.rejected',
      detail: 'key [redacted] and [redacted] were revoked',
      header: 'Authorization: Bearer [redacted]',
      cookies: 'theme=dark; __Host-hub.sid=[redacted]; lang=en; hub.browser=[redacted]',
      msg: 'could not reach smtps://[redacted]@smtp.example.com:465 for ann@example.com',
    });
  });

  it('scrubs a link inside an error’s message and stack, keeping the error', () => {
    const err = new Error(`could not render ${RESET_LINK}`);
    const { line, json } = logged((l) =>
      l.error({ event: 'mail.dead', err, nested: { err: { message: `see ${INVITE_LINK}` } } }, 'mail given up'),
    );
    expect(line).not.toContain(RESET_TOKEN);
    expect(line).not.toContain(INVITE_TOKEN);
    const error = json.err as { type: string; message: string; stack: string };
    expect(error.type).toBe('Error');
    expect(error.message).toBe('could not render https://hub.example.com/password/reset/[redacted]');
    expect(error.stack).toContain('logger.test.ts');
    expect(json).toMatchObject({
      nested: { err: { message: 'see https://hub.example.com/invitations/[redacted]' } },
      msg: 'mail given up',
    });
  });

  it('scrubs an error logged on its own, and a child logger’s bindings', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    logger.error(new Error(`bad link ${INVITE_LINK}`));
    logger.child({ path: `/password/reset/${RESET_TOKEN}` }).info('child line');
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).not.toContain(INVITE_TOKEN);
      expect(line).not.toContain(RESET_TOKEN);
    }
    expect(JSON.parse(lines[0])).toMatchObject({ msg: 'bad link https://hub.example.com/invitations/[redacted]' });
    expect(JSON.parse(lines[1])).toMatchObject({ path: '/password/reset/[redacted]', msg: 'child line' });
  });

  it("scrubs the values a driver's error quotes in its statement: session ids, emails, names", () => {
    const err = new Error(
      "select data, expires_at from session where sid = 'YyOXLyIMkbq3g30TcPrSSwZyJAxW3b3w' - Connection terminated unexpectedly",
    );
    const { line, json } = logged((l) => l.error({ err }, 'unhandled error'));
    expect(line).not.toContain('YyOXLyIMkbq3g30TcPrSSwZyJAxW3b3w');
    expect((json.err as { message: string }).message).toBe(
      "select data, expires_at from session where sid = '[redacted]' - Connection terminated unexpectedly",
    );
    const insert =
      "insert into membership (id, name, email) values ('m1', 'Nina O''Neil', 'nina@alpha.example'),('m2','B','b@x.io') - duplicate key";
    expect(scrubSecrets(insert)).toBe(
      "insert into membership (id, name, email) values ('[redacted]', '[redacted]', '[redacted]'),('[redacted]','[redacted]','[redacted]') - duplicate key",
    );
  });

  it('leaves ordinary text alone, URL-encoded token paths and token parameters not', () => {
    const plain = 'GET /accounts?q=phk&sort=name by ann@example.com (https://hub.example.com/users/42) Bearer-less';
    expect(scrubSecrets(plain)).toBe(plain);
    expect(scrubSecrets(`next=%2Fpassword%2Freset%2F${RESET_TOKEN}`)).toBe('next=%2Fpassword%2Freset%2F[redacted]');
    expect(scrubSecrets(`/reset?token=${RESET_TOKEN}&x=1`)).toBe('/reset?token=[redacted]&x=1');
  });
});
