import { request } from 'node:http';

/**
 * Plain node:http requests to the app under test, as a browser behind a TLS-terminating load
 * balancer would make them: `X-Forwarded-Proto: https` (the app trusts one proxy hop), the
 * session cookie, no Origin header (the CSRF token is what a form carries).
 */
export const PROXY_HEADERS = { 'x-forwarded-proto': 'https' } as const;

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  bytes: number;
}

export function call(
  base: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; keepBody?: boolean } = {},
): Promise<Answer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        headers: {
          ...PROXY_HEADERS,
          ...(options.body
            ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(options.body)) }
            : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        const keep = options.keepBody !== false;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          if (keep) chunks.push(c);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), bytes }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.body) req.write(options.body);
    req.end();
  });
}

/** The session cookie an answer sets: `__Host-hub.sid` in production, `hub.sid` elsewhere (the tests of these helpers). */
function sessionCookie(answer: Answer): string | undefined {
  const set = ([] as string[]).concat(answer.headers['set-cookie'] ?? []);
  const cookie = set.find((c) => /^(__Host-)?hub\.sid=/.test(c));
  return cookie?.split(';')[0];
}

/** Signs in through the real login form (GET for the token, POST it); returns the Cookie header. */
export async function signIn(base: string, email: string, password: string): Promise<string> {
  const form = await call(base, '/login');
  const cookie = sessionCookie(form);
  const token = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1];
  if (form.status !== 200 || !cookie || !token) throw new Error(`GET /login: ${form.status}, cookie ${cookie ? 'set' : 'missing'}`);
  const body = new URLSearchParams({ _csrf: token, email, password }).toString();
  const done = await call(base, '/login', { method: 'POST', body, headers: { cookie } });
  const signedIn = sessionCookie(done);
  if (done.status !== 303 || !signedIn) throw new Error(`POST /login for ${email}: ${done.status} ${done.body.slice(0, 200)}`);
  const home = await call(base, '/accounts', { headers: { cookie: signedIn } });
  if (home.status !== 200) throw new Error(`GET /accounts after sign-in: ${home.status}`);
  return signedIn;
}

/** The numbers a table page lists, in order: the id in each row's link. */
export const rowIds = (html: string) =>
  [...html.matchAll(/<th scope="row" class="cell-phone"><a href="\/accounts\/([A-Za-z0-9_-]{22})/g)].map((m) => m[1]);
/** What the page says it shows: "1,234 numbers match · Showing 51–100 of 1,234". */
export const resultsLine = (html: string) => (/<p class="results"[^>]*>(.*?)<\/p>/s.exec(html)?.[1] ?? '').replace(/<[^>]+>/g, '').trim();
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];

/** Makes a read API key on the settings page as a signed-in owner would; returns the key, shown this once. */
export async function createApiKey(base: string, cookie: string, name: string): Promise<string> {
  const form = await call(base, '/settings/api-keys/new', { headers: { cookie } });
  const token = csrfOf(form.body);
  if (form.status !== 200 || !token) throw new Error(`GET /settings/api-keys/new: ${form.status}`);
  const body = new URLSearchParams({ _csrf: token, name, scope: 'read', expires: '' }).toString();
  const done = await call(base, '/settings/api-keys', { method: 'POST', body, headers: { cookie } });
  const key = /phk_live_[0-9A-Za-z]{17}_[0-9A-Za-z]{43}/.exec(done.body)?.[0];
  if (done.status !== 201 || !key) throw new Error(`POST /settings/api-keys: ${done.status} ${done.body.slice(0, 200)}`);
  return key;
}

/** Revokes the API key of that name as an owner does: its Revoke link on the settings page, then the confirmation's form. */
export async function revokeApiKey(base: string, cookie: string, name: string): Promise<void> {
  const page = await call(base, '/settings/api-keys', { headers: { cookie } });
  const row = page.body.split('<tr>').find((r) => r.includes(`<th scope="row">${name}</th>`)) ?? '';
  const id = /href="\/settings\/api-keys\/([A-Za-z0-9_-]+)\/revoke"/.exec(row)?.[1];
  if (page.status !== 200 || !id) throw new Error(`GET /settings/api-keys: ${page.status}, no Revoke link for "${name}"`);
  const confirm = await call(base, `/settings/api-keys/${id}/revoke`, { headers: { cookie } });
  const token = csrfOf(confirm.body);
  if (confirm.status !== 200 || !token) throw new Error(`GET /settings/api-keys/${id}/revoke: ${confirm.status}, no form`);
  const body = new URLSearchParams({ _csrf: token }).toString();
  const done = await call(base, `/settings/api-keys/${id}/revoke`, { method: 'POST', body, headers: { cookie } });
  if (done.status !== 303) throw new Error(`POST /settings/api-keys/${id}/revoke: ${done.status} ${done.body.slice(0, 200)}`);
}
