import type request from 'supertest';
import { Sql } from '../../src/database/sql';
import type { TestApp } from './app';

/**
 * Reading the list of numbers (WhatsApp Accounts, a client's page) as a person reads it: the
 * table's rows and headers, the cards, the chips, the counts and the pager, from the HTML the
 * app sent. The templates write rows on single lines, which keeps these patterns simple.
 */

type Agent = ReturnType<typeof request.agent>;

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#x27;': "'",
  '&#x3D;': '=',
  '&#x60;': '`',
};

/** Text or an attribute as the browser reads it (Handlebars' escapes undone). */
export function decodeHtml(s: string): string {
  return s.replace(/&(?:amp|lt|gt|quot|#x27|#x3D|#x60);/g, (e) => ENTITIES[e]);
}

/** What is between `start` and the next `end` after it, or '' when `start` is absent. */
function between(html: string, start: string, end: string): string {
  const from = html.indexOf(start);
  if (from < 0) return '';
  const to = html.indexOf(end, from + start.length);
  return html.slice(from + start.length, to < 0 ? undefined : to);
}

export interface Badge {
  /** The family's name written beside the badge (the table's cell label, the card's badge text). */
  family: string;
  label: string;
  colour: string;
  anchor: string;
}

export interface TableRow {
  id: string;
  href: string;
  phone: string;
  country?: string;
  displayName: string | null;
  client?: { name: string; href: string };
  /** The status cells by their family's short name ("Status", "WABA", …, "Billing"). */
  cells: Record<string, Badge>;
  /** The lines beside the billing badge (the revocation's countdown). */
  notes: string[];
  /** The families at fault, or null when the row says "No". */
  attention: string | null;
  created: string;
}

const BADGE =
  /<a class="badge badge-(\w+)" href="\/account-statuses#([^"]+)"[^>]*>(?:<span class="badge-family">([^<]+)<\/span> )?([^<]+)<\/a>/;

/** The table's rows, in page order. */
export function tableRows(html: string): TableRow[] {
  const body = between(html, '<tbody>', '</tbody>');
  return body
    .split('<tr')
    .slice(1)
    .map((row) => {
      const phone = /<th scope="row" class="cell-phone"><a href="([^"]+)">([^<]+)<\/a>(?:<span class="cell-sub">([^<]+)<\/span>)?/.exec(
        row,
      );
      if (!phone) throw new Error(`a row without its phone link: ${row.slice(0, 300)}`);
      const href = decodeHtml(phone[1]);
      const display = /<td><span class="cell-label">Display name<\/span>(.*?)<\/td>/.exec(row)?.[1] ?? '';
      const client = /<td><span class="cell-label">Client<\/span><a href="([^"]+)">([^<]*)<\/a><\/td>/.exec(row);
      const cells: Record<string, Badge> = {};
      for (const m of row.matchAll(new RegExp(`<td(?: class="[^"]+")?><span class="cell-label">([^<]+)</span>${BADGE.source}`, 'g'))) {
        cells[decodeHtml(m[1])] = { family: decodeHtml(m[1]), colour: m[2], anchor: m[3], label: decodeHtml(m[5]) };
      }
      const attention = /<td class="cell-attention"><span class="cell-label">Needs attention<\/span>(.*?)<\/td>/.exec(row)?.[1] ?? '';
      return {
        id: /^\/accounts\/([A-Za-z0-9_-]{22})/.exec(href)![1],
        href,
        phone: decodeHtml(phone[2]),
        country: phone[3] && decodeHtml(phone[3]),
        displayName: display.includes('class="muted"') ? null : decodeHtml(display),
        client: client ? { href: decodeHtml(client[1]), name: decodeHtml(client[2]) } : undefined,
        cells,
        notes: [...row.matchAll(/<span class="cell-note [^"]*">([^<]+)<\/span>/g)].map((m) => decodeHtml(m[1])),
        attention: attention.includes('class="muted"') ? null : decodeHtml(attention),
        created: /<time datetime="([^"]+)"/.exec(row)?.[1] ?? '',
      };
    });
}

export interface Header {
  /** What the header shows: the family's short name for a status column. */
  text: string;
  /** Its title: "Sort by <the column's full name>"; none for a header that does not sort. */
  title?: string;
  href?: string;
  ariaSort?: string;
}

/** The table's column headers, in order. */
export function tableHeaders(html: string): Header[] {
  const head = between(html, '<thead>', '</thead>');
  return [...head.matchAll(/<th scope="col"(?: aria-sort="(\w+)")?>(.*?)<\/th>/g)].map((m) => {
    const link = /<a href="([^"]+)" title="([^"]+)">([^<]+?)(?: <span aria-hidden="true">[^<]*<\/span>)?<\/a>/.exec(m[2]);
    return link
      ? { text: decodeHtml(link[3]), title: decodeHtml(link[2]), href: decodeHtml(link[1]), ariaSort: m[1] }
      : { text: decodeHtml(m[2]), ariaSort: m[1] };
  });
}

/** The choices of the filter form's Sort by: the value it sends, its words, and whether it is the one chosen. */
export function sortOptions(html: string): { value: string; label: string; selected: boolean }[] {
  const select = between(html, '<select id="sort" name="sort">', '</select>');
  return [...select.matchAll(/<option value="([^"]*)" ?(selected)?>([^<]*)<\/option>/g)].map((m) => ({
    value: decodeHtml(m[1]),
    label: decodeHtml(m[3]),
    selected: !!m[2],
  }));
}

export interface CardView {
  id: string;
  href: string;
  /** The client the card names, when it names one. */
  client?: { name: string; href: string };
  badges: Badge[];
}

export interface CardSection {
  /** The client's heading over the cards, in the client sort. */
  heading?: { name: string; href: string };
  cards: CardView[];
}

/** The cards, by the section (client heading) they sit under. */
export function cardSections(html: string): CardSection[] {
  return html
    .split('<section class="client-group"')
    .slice(1)
    .map((section) => {
      const heading = /<h3 id="client-\d+" class="client-heading"><a href="([^"]+)">([^<]*)<\/a><\/h3>/.exec(section);
      const cards = section
        .split('<article class="card')
        .slice(1)
        .map((card) => {
          const link = /<h4 class="card-phone" id="card-([A-Za-z0-9_-]{22})"><a href="([^"]+)">/.exec(card)!;
          const client = /<p class="card-client"><a href="([^"]+)">([^<]*)<\/a><\/p>/.exec(card);
          const badges = between(card, '<ul class="badges" aria-label="Statuses">', '</ul>');
          return {
            id: link[1],
            href: decodeHtml(link[2]),
            client: client ? { href: decodeHtml(client[1]), name: decodeHtml(client[2]) } : undefined,
            badges: [...badges.matchAll(new RegExp(BADGE.source, 'g'))].map((m) => ({
              colour: m[1],
              anchor: m[2],
              family: m[3] === undefined ? '' : decodeHtml(m[3]),
              label: decodeHtml(m[4]),
            })),
          };
        });
      return { heading: heading ? { href: decodeHtml(heading[1]), name: decodeHtml(heading[2]) } : undefined, cards };
    });
}

/** The pager's links: First page, Previous page, Next page. */
export function pagerLinks(html: string): { first?: string; previous?: string; next?: string } {
  const nav = between(html, '<nav class="pager" aria-label="Pages">', '</nav>');
  const rel = (r: string) => {
    const m = new RegExp(`<a [^>]*href="([^"]+)" rel="${r}">`).exec(nav);
    return m ? decodeHtml(m[1]) : undefined;
  };
  const first = /<a href="([^"]+)">First page<\/a>/.exec(nav);
  return { first: first ? decodeHtml(first[1]) : undefined, previous: rel('prev'), next: rel('next') };
}

/** The filters in force as chips with their remove links, and Clear all. */
export function filterChips(html: string): { chips: { label: string; removeHref: string }[]; clearHref?: string } {
  const group = between(html, '<div class="chips" role="group" aria-label="Active filters">', '</div>');
  const chips = [...group.matchAll(/<li class="chip">(.*?) <a href="([^"]+)" class="chip-remove"/g)].map((m) => ({
    label: decodeHtml(m[1]),
    removeHref: decodeHtml(m[2]),
  }));
  const clear = /<a href="([^"]+)" class="chips-clear">Clear all<\/a>/.exec(group);
  return { chips, clearHref: clear ? decodeHtml(clear[1]) : undefined };
}

/** The notices above the results line ("Part of this link could not be used …"). */
export function listNotices(html: string): string[] {
  return [...html.matchAll(/<p class="list-notice" role="status">([^<]*)<\/p>/g)].map((m) => decodeHtml(m[1]));
}

/** The results line: "1,234 numbers match" (when filtered) and "Showing 51–100 of 1,234". */
export function resultsLine(html: string): { match?: string; showing: string } {
  const line = between(html, '<p class="results" aria-live="polite">', '</p>');
  const match = /<strong>([^<]+)<\/strong>/.exec(line)?.[1];
  return { match: match && decodeHtml(match), showing: decodeHtml(line.replace(/<strong>[^<]*<\/strong>( · )?/, '')) };
}

/** The summary's figures: the total, those needing attention, and the count per number status shown. */
export function summaryFigures(html: string): { total: string; attention?: string; byStatus: Record<string, string> } {
  const summary = between(html, '<section class="summary"', '</section>');
  const byStatus: Record<string, string> = {};
  for (const m of summary.matchAll(/<\/svg> ([^<]+) <strong>([^<]+)<\/strong><\/a><\/li>/g)) byStatus[decodeHtml(m[1])] = m[2];
  return {
    total: /<p class="summary-total">[^<]*<strong>([^<]+)<\/strong>/.exec(summary)?.[1] ?? '',
    attention: /<strong>([^<]+)<\/strong> need attention/.exec(summary)?.[1],
    byStatus,
  };
}

/** The href of a link whose text is exactly `text`. */
export function linkTo(html: string, text: string): string | undefined {
  const m = new RegExp(`<a href="([^"]+)"[^>]*>${text}</a>`).exec(html);
  return m ? decodeHtml(m[1]) : undefined;
}

export interface Page {
  url: string;
  html: string;
}

/**
 * The pages from `url` on, following the pager's Next page (or Previous page) link until there
 * is none; every page must answer 200. Stops with an error past `max` pages (a loop).
 */
export async function walkPages(agent: Agent, url: string, rel: 'next' | 'previous', max = 50): Promise<Page[]> {
  const pages: Page[] = [];
  let href: string | undefined = url;
  while (href) {
    if (pages.length >= max) throw new Error(`more than ${max} pages from ${url}: the pager loops`);
    const res = await agent.get(href);
    if (res.status !== 200) throw new Error(`${href} answered ${res.status}`);
    pages.push({ url: href, html: res.text });
    href = pagerLinks(res.text)[rel];
  }
  return pages;
}

/** The query of a link as a sorted list of "key=value" (order-free, repeated keys kept). */
export function queryOf(href: string): string[] {
  return [...new URL(href, 'http://hub.invalid').searchParams].map(([k, v]) => `${k}=${v}`).sort();
}

/**
 * Copies a number `count` times with one INSERT … SELECT (seconds for 10,000 rows, on SQLite and
 * PostgreSQL alike), under the same partner, client and WABA. Each copy gets its own id,
 * provider and external ids, phone (+4917 and 8 digits) and phone-only search text; `status`
 * and `registration` are SQL expressions of the copy's number `s.i` (1…count).
 */
export async function copyNumber(
  t: TestApp,
  templateId: string,
  count: number,
  columns: { status?: string; registration?: string } = {},
): Promise<void> {
  const n = 'cast(s.i + 10000000 as text)';
  await t.app.get(Sql).run(
    `with recursive s(i) as (select 1 union all select i + 1 from s where i < ?)
     insert into whatsapp_number (id, created_at, updated_at, partner_id, client_id, waba_account_id, provider_id, external_id,
                                  phone_number, display_name, status, status_changed_at, account_mode, registration_status,
                                  registration_method, ivr, quality_rating, messaging_tier, billing_state, provider_created_at,
                                  client_name, country_code, search_text)
     select substr(t.id, 1, 14) || ${n}, t.created_at, t.updated_at, t.partner_id, t.client_id, t.waba_account_id,
            'BULK' || ${n}, '8' || ${n}, '+4917' || ${n}, t.display_name, ${columns.status ?? 't.status'}, t.status_changed_at,
            t.account_mode, ${columns.registration ?? 't.registration_status'}, t.registration_method, t.ivr, t.quality_rating,
            t.messaging_tier, t.billing_state, t.provider_created_at, t.client_name, 'DE', '4917' || ${n}
       from s cross join whatsapp_number t
      where t.id = ?`,
    [count, templateId],
  );
}
