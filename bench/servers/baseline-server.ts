import 'reflect-metadata';
import cluster from 'node:cluster';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import hbs from 'hbs';
import { PAGE_SIZE, type StatusChangeRow } from '../../src/accounts/accounts.service';
import { detailsView, filterForm, groupByClient, historyView, summaryView } from '../../src/accounts/accounts.presenter';
import { cursorFor, decodeCursor, filterQueryString, type NumberFilter } from '../../src/accounts/number-filter';
import { toCardRow, toNumberRow } from '../../src/accounts/number-row';
import { ROOT } from '../../src/app.setup';
import { viewHelpers } from '../../src/common/view-helpers';
import { dangerZone, requestedNumberIds, revocationNote } from '../../src/revocation/revocation.presenter';
import { dbFromEnv } from '../lib/env';
import { openRaw, toDate, type RawDb } from '../lib/raw';

/**
 * The baseline of the list and details pages: a bare node:http server that runs the same
 * page query in hand-written SQL on the bare driver and renders the same templates (the same
 * layout, partials, helpers and presenter) with the view cache on. No framework, no session,
 * no CSRF, no ORM: what the app's requests cost above this is the price of those. With
 * WEB_CONCURRENCY > 1 it runs as many processes on one port (node:cluster), as the app does.
 * Env: BENCH_PARTNER_ID, BENCH_USER_NAME, BENCH_PARTNER_NAME, plus lib/env's.
 */
const db = dbFromEnv();
const raw = openRaw(db, 10);
const partnerId = process.env.BENCH_PARTNER_ID!;
const member = {
  partnerId,
  partnerName: process.env.BENCH_PARTNER_NAME ?? 'Bench Partner',
  userName: process.env.BENCH_USER_NAME ?? 'Bench Owner',
  role: 'owner',
};
const views = join(ROOT, 'views');
const settings = { views, 'view options': { layout: 'layouts/main' } };
for (const [name, fn] of Object.entries(viewHelpers)) hbs.registerHelper(name, fn as never);

const FILTER: NumberFilter = { status: {}, attention: false, sort: 'newest' };

/** The columns the app's queries read (src/accounts/number-row.ts), under the same aliases: a card's for the list, all for the details. */
const CARD_COLUMNS = `
  n.id as n_id, n.phone_number as n_phone_number, n.display_name as n_display_name, n.status as n_status,
  n.status_changed_at as n_status_changed_at, n.registration_status as n_registration_status,
  n.quality_rating as n_quality_rating, n.messaging_tier as n_messaging_tier, n.billing_state as n_billing_state,
  n.provider_created_at as n_provider_created_at, n.client_name as n_client_name,
  c.id as c_id, c.consent_status as c_consent_status,
  w.status as w_status, w.business_verification_status as w_business_verification_status,
  w.message_on_behalf_status as w_message_on_behalf_status`;
const COLUMNS = `${CARD_COLUMNS},
  n.provider_id as n_provider_id, n.external_id as n_external_id, n.account_mode as n_account_mode,
  n.registration_method as n_registration_method, n.ivr as n_ivr,
  c.provider_id as c_provider_id, c.name as c_name, c.contact_email as c_contact_email,
  w.id as w_id, w.provider_id as w_provider_id, w.external_id as w_external_id, w.namespace as w_namespace,
  w.timezone_id as w_timezone_id`;
const FROM = `
    from whatsapp_number n
    join client c on c.id = n.client_id
    join waba_account w on w.id = n.waba_account_id`;

const PAGE_SQL = `
  select ${CARD_COLUMNS} ${FROM}
   where n.partner_id = ? and n.billing_state <> 'removed'
     %AFTER%
   order by n.provider_created_at desc, n.id desc
   limit ${PAGE_SIZE + 1}`;
const AFTER = 'and (n.provider_created_at, n.id) < (?, ?)';

/** The open revocations of some numbers, as the revocation module reads them for the pages. */
async function openRevocations(numberIds: string[]) {
  if (!numberIds.length) return [];
  return raw.all<{ number_id: string; terminationDate: string; billingTimeZone: string; remove_at: unknown; reason: string | null }>(
    `select number_id, termination_date as "terminationDate", billing_time_zone as "billingTimeZone", remove_at, reason
       from revocation where partner_id = ? and withdrawn_at is null and number_id in (${numberIds.map(() => '?').join(', ')})`,
    [partnerId, ...numberIds],
  );
}

const DETAILS_SQL = `select ${COLUMNS} ${FROM} where n.id = ? and n.partner_id = ? and n.billing_state <> 'removed'`;
const HISTORY_SQL = `
  select changed_at, family, from_value, to_value, source from number_status_change
   where partner_id = ? and number_id = ? order by changed_at desc, id desc limit 200`;

/** The summary counts, read once: the app stores them too (number_summary). */
let summary: ReturnType<typeof summaryView> | undefined;
async function summaryOnce(): Promise<ReturnType<typeof summaryView>> {
  if (summary) return summary;
  const all = await raw.all<{ status: string; n: number | string }>(
    "select status, count(*) as n from whatsapp_number where partner_id = ? and billing_state <> 'removed' group by status",
    [partnerId],
  );
  const byStatus: Record<string, number> = {};
  for (const row of all) byStatus[row.status] = Number(row.n);
  const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
  summary = summaryView({ byStatus, total, attention: 0 });
  return summary;
}

function render(res: ServerResponse, view: string, locals: Record<string, unknown>) {
  const file = join(views, `${view}.hbs`);
  const options = {
    ...locals,
    member,
    isOwner: true,
    csrfToken: 'baseline-csrf-token-baseline-csrf-token-xyz',
    settings,
    cache: true,
  };
  (hbs.__express as unknown as (f: string, o: object, cb: (err: Error | null, html?: string) => void) => void)(
    file,
    options,
    (err, html) => {
      if (err) return fail(res, err);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html);
    },
  );
}

function fail(res: ServerResponse, err: unknown) {
  console.error(err);
  res.writeHead(500);
  res.end('error');
}

async function listPage(url: URL, res: ServerResponse) {
  const cursor = decodeCursor(url.searchParams.get('after') ?? undefined, 'newest');
  const params: unknown[] = [partnerId];
  let sql = PAGE_SQL.replace('%AFTER%', '');
  if (cursor) {
    const key = raw.date(new Date(cursor.key));
    sql = PAGE_SQL.replace('%AFTER%', AFTER);
    params.push(key, cursor.id);
  }
  const rows = (await raw.all(sql, params)).map(toCardRow);
  const numbers = rows.slice(0, PAGE_SIZE);
  const next = rows.length > PAGE_SIZE ? cursorFor('newest', numbers[numbers.length - 1]) : undefined;
  const now = new Date();
  const notes = new Map((await openRevocations(requestedNumberIds(numbers))).map((r) => [r.number_id, [revocationNote(r, now)]]));
  render(res, 'accounts/index', {
    title: 'WhatsApp Accounts',
    path: '/accounts',
    groups: groupByClient(numbers, now, notes),
    form: filterForm(FILTER),
    summary: await summaryOnce(),
    csvHref: `/accounts/export.csv${filterQueryString(FILTER)}`,
    filtered: false,
    nextHref: next ? `/accounts${filterQueryString(FILTER, { after: next })}` : undefined,
    firstHref: cursor ? '/accounts' : undefined,
    empty: numbers.length === 0,
    emptyKind: numbers.length ? undefined : 'end',
  });
}

async function detailsPage(id: string, res: ServerResponse) {
  const [row] = await raw.all(DETAILS_SQL, [id, partnerId]);
  if (!row) {
    res.writeHead(404);
    return res.end('not found');
  }
  const number = toNumberRow(row);
  const history = (await raw.all(HISTORY_SQL, [partnerId, id])).map(
    (h) =>
      ({
        changedAt: toDate(h.changed_at),
        family: h.family,
        fromValue: h.from_value,
        toValue: h.to_value,
        source: h.source,
      }) as StatusChangeRow,
  );
  const now = new Date();
  const [open] = number.billingState === 'partner_paid' ? [] : await openRevocations([number.id]);
  const revocation = open && { ...open, removeAt: toDate(open.remove_at), reason: open.reason ?? null };
  const view = detailsView(
    number,
    now,
    revocation && number.billingState === 'revocation_requested' ? [revocationNote(revocation, now)] : [],
  );
  render(res, 'accounts/show', {
    title: `${view.phone.formatted} · ${number.clientName}`,
    path: `/accounts/${id}`,
    view,
    history: historyView(history),
    sections: [dangerZone({ ...member, role: 'owner' } as never, number, revocation ?? null, now)],
  });
}

const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  const url = new URL(req.url ?? '/', 'http://baseline');
  const details = /^\/accounts\/([A-Za-z0-9_-]{22})$/.exec(url.pathname);
  const work = url.pathname === '/accounts' ? listPage(url, res) : details ? detailsPage(details[1], res) : undefined;
  if (!work) {
    res.writeHead(404);
    return res.end();
  }
  work.catch((err) => fail(res, err));
});

async function main(db: RawDb) {
  await new Promise<void>((resolve) => hbs.registerPartials(views, () => resolve()));
  await summaryOnce();
  server.listen(0, '127.0.0.1', () => {
    process.send!({ ready: true, port: (server.address() as AddressInfo).port, viewCache: true, dialect: db.dialect });
  });
  // Let requests the load generator gave up on finish before the pool ends under them.
  process.on('disconnect', () => {
    server.close(() => void db.close().then(() => process.exit(0)));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 10_000).unref();
  });
}

/** The primary of `count` baseline processes: ready once they all listen; stops them when its parent goes. */
function primary(count: number) {
  let listening = 0;
  let stopping = false;
  cluster.on('message', (_w, msg: { ready?: boolean }) => {
    if (msg.ready && ++listening === count) process.send!(msg);
  });
  cluster.on('exit', (_w, code) => {
    if (stopping) return;
    console.error(`a baseline process exited (${code})`);
    process.exit(1);
  });
  for (let i = 0; i < count; i++) cluster.fork();
  process.on('disconnect', () => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.disconnect();
    setTimeout(() => process.exit(0), 10_000).unref();
    cluster.on('exit', () => Object.keys(cluster.workers ?? {}).length === 0 && process.exit(0));
  });
}

const workers = Number(process.env.WEB_CONCURRENCY ?? '1');
if (cluster.isPrimary && workers > 1) {
  primary(workers);
} else {
  main(raw).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
