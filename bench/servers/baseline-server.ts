import 'reflect-metadata';
import cluster from 'node:cluster';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import hbs from 'hbs';
import type { ClientRow, ClientWabaRow, MatchCount, StatusChangeRow } from '../../src/accounts/accounts.service';
import { clientView, detailsView, historyView } from '../../src/accounts/accounts.presenter';
import { filterChips, filterForm, showingText, tableHeaders, tableRows } from '../../src/accounts/number-list.presenter';
import { summaryView } from '../../src/accounts/summary.presenter';
import {
  DEFAULT_PAGE_SIZE,
  decodeCursor,
  encodeCursor,
  filterQueryString,
  isFiltered,
  parseNumberFilter,
  parsePageSize,
  type NumberFilter,
} from '../../src/accounts/number-filter';
import { attentionWhere } from '../../src/accounts/number-sql';
import { toCardRow, toNumberRow, type CardRow } from '../../src/accounts/number-row';
import { numberJson } from '../../src/api/api.presenter';
import { ROOT } from '../../src/app.setup';
import { formatCount, viewHelpers } from '../../src/common/view-helpers';
import { dangerZone, requestedNumberIds, revocationNote } from '../../src/revocation/revocation.presenter';
import type { ConsentStatus, OnBehalfStatus, VerificationStatus, WabaStatus } from '../../src/statuses';
import { sqliteConnectionPragmas } from '../../src/database/orm.config';
import { benchConfig, dbFromEnv } from '../lib/env';
import { openRaw, toDate, type RawDb } from '../lib/raw';

/**
 * The baseline of the list, client and details pages, and of the Partner API's list of numbers
 * (`GET /api/v1/numbers`: the same page read, all of each row's columns, the API's presenter
 * and JSON.stringify; no key check): a bare node:http server that runs the
 * same queries in hand-written SQL on the bare driver (the page read and the count of what the
 * filter matches) and renders the same templates (the same layout, partials, helpers and
 * presenter, the table layout) with the view cache on. No framework, no session, no CSRF, no
 * ORM: what the app's requests cost above this is the price of those. It serves what the bench
 * requests (newest first, a number-status filter, a client's page, `after` cursors); anything
 * else is a 400. With WEB_CONCURRENCY > 1 it runs as many processes on one port
 * (node:cluster), as the app does.
 * Env: BENCH_PARTNER_ID, BENCH_USER_NAME, BENCH_PARTNER_NAME, plus lib/env's.
 */
const db = dbFromEnv();
// The app's connection settings (SQLite's page cache): the same queries read the database alike.
const raw = openRaw(db, 10, sqliteConnectionPragmas(benchConfig()));
const partnerId = process.env.BENCH_PARTNER_ID!;
const member = {
  userId: 'baseline-user-id-00000',
  userName: process.env.BENCH_USER_NAME ?? 'Bench Owner',
  email: 'owner@bench.example',
  partnerId,
  partnerName: process.env.BENCH_PARTNER_NAME ?? 'Bench Partner',
  partnerSlug: 'bench',
  role: 'owner' as const,
  membershipId: 'baseline-membership-000',
  // The bench partners' billing time zone (the default terms); their owners choose none.
  timeZone: 'UTC',
};
const views = join(ROOT, 'views');
const settings = { views, 'view options': { layout: 'layouts/main' } };
for (const [name, fn] of Object.entries(viewHelpers)) hbs.registerHelper(name, fn as never);

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

/** A date parameter as the driver takes it (epoch milliseconds on SQLite). */
const bind = (params: unknown[]) => params.map((p) => (p instanceof Date ? raw.date(p) : p));

/** The numbers a page lists, as the app's numberWhere writes it for the filters the bench uses. */
function whereOf(filter: NumberFilter): { sql: string; params: unknown[] } {
  const sql = ['n.partner_id = ?', "n.billing_state <> 'removed'"];
  const params: unknown[] = [partnerId];
  if (filter.clientId) {
    sql.push('n.client_id = ?');
    params.push(filter.clientId);
  }
  const lifecycle = filter.status.lifecycle ?? [];
  if (lifecycle.length === 1) sql.push('n.status = ?');
  if (lifecycle.length > 1) sql.push(`n.status in (${lifecycle.map(() => '?').join(', ')})`);
  params.push(...lifecycle);
  return { sql: sql.join(' and '), params };
}

/**
 * One page, newest first, after a cursor: one row more tells whether a page follows. The page's
 * ids first, then their columns (a card's, or all of them), as the app's readNumberRows reads it;
 * with several number statuses, the ids of a page per status, the first `limit` of them kept.
 */
async function readPage(
  filter: NumberFilter,
  after: { key: string; id: string } | undefined,
  limit: number,
  columns = CARD_COLUMNS,
): Promise<Record<string, unknown>[]> {
  const idsOf = (f: NumberFilter) => {
    const where = whereOf(f);
    return {
      sql: `select n.id as id, n.provider_created_at as k from whatsapp_number n
             where ${where.sql}${after ? ' and (n.provider_created_at, n.id) < (?, ?)' : ''}
             order by n.provider_created_at desc, n.id desc
             limit ?`,
      params: [...where.params, ...(after ? [new Date(after.key), after.id] : []), limit],
    };
  };
  const statuses = filter.status.lifecycle ?? [];
  const pages =
    statuses.length > 1 ? statuses.map((s) => idsOf({ ...filter, status: { ...filter.status, lifecycle: [s] } })) : [idsOf(filter)];
  const ids =
    pages.length === 1
      ? pages[0]
      : {
          sql: `select id from (${pages.map((p, i) => `select * from (${p.sql}) p${i}`).join(' union all ')}) u order by k desc, id desc limit ?`,
          params: [...pages.flatMap((p) => p.params), limit],
        };
  return raw.all(
    `select ${columns}, n.provider_created_at as sort_key
       from (${ids.sql}) x
       join whatsapp_number n on n.id = x.id
       join client c on c.id = n.client_id
       join waba_account w on w.id = n.waba_account_id
      order by n.provider_created_at desc, n.id desc`,
    bind(ids.params),
  );
}

/** The app's count of what a filter matches (countMatching), capped: the same SQL. */
async function countMatching(filter: NumberFilter, now: Date, cap: number): Promise<MatchCount> {
  const where = whereOf(filter);
  const attention = attentionWhere(now);
  const rows = await raw.all<{ status: string; n: number | string; attention: number | string }>(
    `select x.status as status, count(*) as n, sum(x.attention) as attention from (
       select n.status as status, case when ${attention.sql} then 1 else 0 end as attention
         from whatsapp_number n
         join client c on c.id = n.client_id
         join waba_account w on w.id = n.waba_account_id
        where ${where.sql}
        limit ?) x
      group by x.status`,
    bind([...attention.params, ...where.params, cap + 1]),
  );
  const byStatus: Record<string, number> = {};
  let total = 0;
  let attentionCount = 0;
  for (const row of rows) {
    byStatus[row.status] = Number(row.n);
    total += Number(row.n);
    attentionCount += Number(row.attention);
  }
  if (total > cap) return { total: cap, capped: true, byStatus: {}, attention: 0 };
  return { total, capped: false, byStatus, attention: attentionCount };
}
const COUNT_CAP = 10_000;

/** The partner's counts, read once: the app stores them (number_summary) and reads the stored row. */
let summary: MatchCount | undefined;
async function summaryOnce(): Promise<MatchCount> {
  summary ??= await countMatching({ status: {}, attention: false, sort: { field: 'created', dir: 'desc' } }, new Date(), 10_000_000);
  return summary;
}

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

/** A query string as Express reads it: a repeated key is an array. */
function queryOf(url: URL): Record<string, unknown> {
  const query: Record<string, unknown> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    query[key] = all.length === 1 ? all[0] : all;
  }
  return query;
}

class Unsupported extends Error {}

/** "1,234 numbers match" (number-list.service.ts). */
function matchText(count: MatchCount): string {
  const n = `${formatCount(count.total)}${count.capped ? '+' : ''}`;
  return count.total === 1 && !count.capped ? `${n} number matches` : `${n} numbers match`;
}

/** The locals of the list (NumberList.view), in the table layout. */
async function listLocals(url: URL, basePath: string, clientId?: string) {
  const query = queryOf(url);
  const filter: NumberFilter = { ...parseNumberFilter(query), ...(clientId && { clientId }) };
  const families = Object.keys(filter.status);
  if (
    filter.q ||
    filter.attention ||
    families.some((f) => f !== 'lifecycle') ||
    filter.sort.field !== 'created' ||
    filter.sort.dir !== 'desc'
  ) {
    throw new Unsupported();
  }
  if (query.before !== undefined) throw new Unsupported();
  const size = parsePageSize(query);
  const sizeParam = size === DEFAULT_PAGE_SIZE ? undefined : String(size);
  const after = decodeCursor(query.after, filter.sort);
  const now = new Date();
  const unfiltered = !isFiltered(filter) && !clientId;
  const [rows, count] = await Promise.all([
    readPage(filter, after && { key: String(after.key), id: after.id }, size + 1),
    unfiltered ? summaryOnce() : countMatching(filter, now, COUNT_CAP),
  ]);
  const numbers: CardRow[] = rows.slice(0, size).map(toCardRow);
  const pos = after ? (after.pos === undefined ? undefined : after.pos + 1) : 0;
  const cursorOf = (i: number) =>
    encodeCursor({
      sort: filter.sort,
      key: numbers[i].providerCreatedAt.toISOString(),
      id: numbers[i].id,
      pos: pos === undefined ? undefined : pos + i,
    });
  const last = numbers.length - 1;
  const next = rows.length > size && last >= 0 ? cursorOf(last) : undefined;
  const previous = after && last >= 0 ? cursorOf(0) : undefined;
  const first = !after;

  const here = (extra: Record<string, string | undefined> = {}) => `${basePath}${filterQueryString(filter, { size: sizeParam, ...extra })}`;
  const listUrl = here(first ? {} : { after: query.after as string });
  const back = listUrl === '/accounts' ? undefined : listUrl;
  const notes = new Map((await openRevocations(requestedNumberIds(numbers))).map((r) => [r.number_id, [revocationNote(r, now)]]));
  const filtered = isFiltered(filter);
  const empty = numbers.length === 0;
  return {
    basePath,
    listUrl,
    listLayout: 'table',
    wide: !empty,
    table: empty
      ? undefined
      : { ...tableHeaders(filter, basePath, sizeParam, !clientId), rows: tableRows(numbers, now, notes, back, !!clientId) },
    groups: undefined,
    form: filterForm(filter, size, !clientId),
    ...filterChips(filter, basePath, sizeParam),
    summary: summaryView(count, filter, basePath, sizeParam),
    filtered,
    matchText: filtered ? matchText(count) : undefined,
    showing: showingText(pos === undefined ? undefined : pos + 1, numbers.length, count),
    csvHref: `/accounts/export.csv${filterQueryString(filter, { client: clientId })}`,
    pager: {
      firstHref: first ? undefined : here(),
      previousHref: previous ? here({ before: previous }) : undefined,
      nextHref: next ? here({ after: next }) : undefined,
    },
    empty,
    emptyKind: !empty ? undefined : count.total === 0 && !filtered ? 'none' : first ? 'no-match' : 'end',
  };
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
  if (err instanceof Unsupported) {
    res.writeHead(400);
    return res.end('not served by the baseline');
  }
  console.error(err);
  res.writeHead(500);
  res.end('error');
}

async function listPage(url: URL, res: ServerResponse) {
  const list = await listLocals(url, '/accounts');
  render(res, 'accounts/index', { title: 'WhatsApp Accounts', path: '/accounts', ...list });
}

/** A client's page: its facts and WABA accounts (the app's client.query.ts SQL), and its numbers. */
async function clientPage(id: string, url: URL, res: ServerResponse) {
  const [row] = await raw.all(`select id, provider_id, name, contact_email, consent_status from client where id = ? and partner_id = ?`, [
    id,
    partnerId,
  ]);
  if (!row) {
    res.writeHead(404);
    return res.end('not found');
  }
  const client: ClientRow = {
    id: row.id as string,
    providerId: row.provider_id as string,
    name: row.name as string,
    contactEmail: (row.contact_email ?? null) as string | null,
    consentStatus: row.consent_status as ConsentStatus,
  };
  const [wabaRows, list] = await Promise.all([
    raw.all(
      `select w.id, w.provider_id, w.external_id, w.namespace, w.status, w.business_verification_status, w.message_on_behalf_status,
              (select count(*) from whatsapp_number n where n.waba_account_id = w.id and n.billing_state <> 'removed') as numbers
         from waba_account w
        where w.client_id = ? and w.partner_id = ?
        order by w.created_at, w.id`,
      [id, partnerId],
    ),
    listLocals(url, `/clients/${id}`, id),
  ]);
  const wabas: ClientWabaRow[] = wabaRows.map((r) => ({
    id: r.id as string,
    providerId: r.provider_id as string,
    externalId: r.external_id as string,
    namespace: (r.namespace ?? null) as string | null,
    status: r.status as WabaStatus,
    businessVerificationStatus: r.business_verification_status as VerificationStatus,
    messageOnBehalfStatus: r.message_on_behalf_status as OnBehalfStatus,
    numbers: Number(r.numbers),
  }));
  render(res, 'accounts/client', { title: client.name, path: `/clients/${id}`, client: clientView(client, wabas), ...list });
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
    breadcrumb: { listHref: '/accounts', clientHref: view.clientHref },
    history: historyView(history),
    sections: [dangerZone(member, number, revocation ?? null, now)],
  });
}

/**
 * The Partner API's list as the bench requests it: a lifecycle filter, `cursor` and `limit`
 * (anything else is a 400), answered in the API's shape with its cursors.
 */
async function apiNumbers(url: URL, res: ServerResponse) {
  const { lifecycle, cursor, limit, ...rest } = queryOf(url);
  if (Object.keys(rest).length) throw new Unsupported();
  const filter = parseNumberFilter(lifecycle === undefined ? {} : { lifecycle });
  const size = limit === undefined ? 50 : Number(limit);
  if (!Number.isInteger(size) || size < 1 || size > 500) throw new Unsupported();
  const after = decodeCursor(cursor, filter.sort);
  const rows = await readPage(filter, after && { key: String(after.key), id: after.id }, size + 1, COLUMNS);
  const numbers = rows.slice(0, size).map(toNumberRow);
  const last = numbers.length - 1;
  const pos = after ? (after.pos === undefined ? undefined : after.pos + 1) : 0;
  const next =
    rows.length > size && last >= 0
      ? encodeCursor({
          sort: filter.sort,
          key: numbers[last].providerCreatedAt.toISOString(),
          id: numbers[last].id,
          pos: pos === undefined ? undefined : pos + last,
        })
      : null;
  const now = new Date();
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ data: numbers.map((n) => numberJson(n, now)), has_more: next !== null, next_cursor: next }));
}

/** The requests being answered, and what runs once the last of them is done. */
let inFlight = 0;
let whenIdle: (() => void) | undefined;

const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  const url = new URL(req.url ?? '/', 'http://baseline');
  const details = /^\/accounts\/([A-Za-z0-9_-]{22})$/.exec(url.pathname);
  const client = /^\/clients\/([A-Za-z0-9_-]{22})$/.exec(url.pathname);
  const work =
    url.pathname === '/accounts'
      ? listPage(url, res)
      : url.pathname === '/api/v1/numbers'
        ? apiNumbers(url, res)
        : details
          ? detailsPage(details[1], res)
          : client
            ? clientPage(client[1], url, res)
            : undefined;
  if (!work) {
    res.writeHead(404);
    return res.end();
  }
  inFlight++;
  void work
    .catch((err) => fail(res, err))
    .finally(() => {
      if (--inFlight === 0) whenIdle?.();
    });
});

async function main(db: RawDb) {
  await new Promise<void>((resolve) => hbs.registerPartials(views, () => resolve()));
  await summaryOnce();
  server.listen(0, '127.0.0.1', () => {
    process.send!({ ready: true, port: (server.address() as AddressInfo).port, viewCache: true, dialect: db.dialect });
  });
  // Requests the load generator gave up on still run their queries: the pool ends after the
  // last one (a cluster worker's server is already closed when it hears of the disconnect).
  process.on('disconnect', () => {
    if (server.listening) server.close();
    server.closeIdleConnections();
    whenIdle = () => void db.close().then(() => process.exit(0));
    if (inFlight === 0) whenIdle();
    setTimeout(() => process.exit(0), 10_000).unref();
  });
}

/** The primary of `count` baseline processes: ready once they all listen; stops them when its parent goes. */
function primary(count: number) {
  let listening = 0;
  let stopping = false;
  let exited = 0;
  cluster.on('message', (_w, msg: { ready?: boolean }) => {
    if (msg.ready && ++listening === count) process.send!(msg);
  });
  // Counted, not read from cluster.workers: a worker leaves that list when it is told to
  // disconnect, and a primary gone before the last one closed its server made it crash (EPIPE).
  cluster.on('exit', (_w, code) => {
    if (stopping) return void (++exited === count && process.exit(0));
    console.error(`a baseline process exited (${code})`);
    process.exit(1);
  });
  for (let i = 0; i < count; i++) cluster.fork();
  process.on('disconnect', () => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.disconnect();
    setTimeout(() => process.exit(0), 10_000).unref();
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
