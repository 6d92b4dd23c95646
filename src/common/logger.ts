import pino, { type DestinationStream, type Logger } from 'pino';

export const REDACTED = '[redacted]';

/**
 * Keys whose value is a secret wherever it is logged: credentials, cookies and session ids,
 * tokens, links (they carry tokens), form fields that hold passwords (`current`, `confirm`)
 * and the CSRF token. One level deep, plus the request shapes that may slip in whole.
 */
const SECRET_KEYS = [
  'password',
  'token',
  'cookie',
  'authorization',
  'sessionId',
  'sid',
  'link',
  'secret',
  'apiKey',
  'csrfSecret',
  'pendingToken',
  '_csrf',
];
const REDACT_PATHS = [
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`]),
  'headers["set-cookie"]',
  '*.headers.cookie',
  '*.headers.authorization',
  '*.headers["set-cookie"]',
  '*.headers["x-csrf-token"]',
  'body.current',
  'body.confirm',
  '*.body.current',
  '*.body.confirm',
  'req.session.csrfSecret',
  'req.session.pendingToken',
];

/**
 * Secrets that a key cannot name, inside any string: the token segment of a link
 * (`/password/reset/<token>`, `/invitations/<token>`, also URL-encoded), a `?token=` style
 * parameter, an API key (`phk_live_<id>_<secret>`, `phk_op_…`), a Bearer credential,
 * the password in a URL (`smtps://user:password@host`) and the session cookie's value. Each
 * alternative keeps its harmless prefix (group) and replaces the secret. The character classes
 * never include `"` or `\`, so a replacement never crosses a JSON string boundary.
 */
const SECRET_IN_TEXT = new RegExp(
  [
    String.raw`((?:/|%2F)(?:password(?:/|%2F)reset|invitations)(?:/|%2F))[A-Za-z0-9_-]+`,
    String.raw`([?&](?:token|sid|api_?key|password|secret)=)[^&#\s"\\]+`,
    String.raw`()\bphk_[a-z]+_[A-Za-z0-9_-]+`,
    String.raw`(\bBearer\s+)[A-Za-z0-9._~+/=-]+`,
    String.raw`(://)[^\s/?#@:"\\]*:[^\s/?#@"\\]*(?=@)`,
    String.raw`(\b(?:__Host-)?hub\.(?:sid|browser)=)[^;,\s"\\]+`,
  ].join('|'),
  'gi',
);
const GROUPS = 6;

/**
 * A value written into SQL as a string literal after `=`, `(` or `,`: the drivers' errors quote
 * their statement with its values (`… where sid = 'ab12…' - Connection terminated`), and those
 * are session ids, emails and names. The literal becomes `'[redacted]'`.
 */
const SQL_LITERAL = /((?:=|\(|,)\s*)'(?:[^'"\\\n]|'')*'/g;

/** Replaces every secret that SECRET_IN_TEXT finds in a string, and every SQL literal, with `[redacted]`. */
export function scrubSecrets(text: string): string {
  return text
    .replace(SECRET_IN_TEXT, (...match: unknown[]) => {
      const prefix = match.slice(1, 1 + GROUPS).find((g) => g !== undefined) as string | undefined;
      return `${prefix ?? ''}${REDACTED}`;
    })
    .replace(SQL_LITERAL, `$1'${REDACTED}'`);
}

/**
 * One structured logger. Callers log ids, never secrets; two nets catch what slips through
 * anyway, so no password, token, link, key, cookie, session id or SQL value reaches a log line:
 * `redact` censors secret keys (a request or body logged whole), and `streamWrite` scrubs the
 * finished line, once per line, so a secret inside a message, an error's message or stack, or
 * any nested string is caught too.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      hooks: { streamWrite: scrubSecrets },
    },
    destination,
  );
}

export const LOGGER = Symbol('LOGGER');
export type { Logger };
