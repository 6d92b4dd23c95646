import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../../src/accounts/entities/client.entity';
import { FILTER_FAMILIES } from '../../src/accounts/number-filter';
import type { Partner } from '../../src/partners/entities/partner.entity';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createClient, createNumber, createWaba } from '../factories/accounts';
import { createTestApp, type TestApp } from '../support/app';
import { chooseLayout, expectAccessible, launchBrowser, newPage, screenshot, signInAs, tabWalk } from '../support/browser';

/**
 * The reworked WhatsApp Accounts list (issue 16) as a person sees it at 1440 px and on a
 * 360 px phone: the filter bar, the chips, the sortable table that stacks on a phone, the
 * cards, a client's page and the top bar's search. Screenshots are kept in test/artifacts/.
 */
describe('the WhatsApp Accounts list in a real browser', () => {
  const WIDE = { width: 1440, height: 900 };
  const PHONE = { width: 360, height: 800 };
  let t: TestApp;
  let browser: Browser;
  let owner: MemberFixture;
  let partner: Partner;
  let harbor: Client;

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    const em = t.em();
    partner = await createPartner(em, { name: 'Globex Partners' });
    owner = await createMember(em, partner, { role: 'owner', name: 'Olivia Owner' });
    const acme = await createClient(em, partner, { name: 'Acme Retail GmbH' });
    const acmeWaba = await createWaba(em, acme);
    for (const [phoneNumber, status] of [
      ['+4915123456789', 'running'],
      ['+4930901820', 'ready'],
      ['+4917612345678', 'live'],
    ] as const) {
      await createNumber(em, partner, { client: acme, waba: acmeWaba, phoneNumber, status, displayName: 'Acme Support' });
    }
    // A long name, to find what it pushes out of place; and the numbers the filter test picks.
    harbor = await createClient(em, partner, {
      name: 'Blue Harbor Logistics International Shipping and Forwarding Ltd',
      contactEmail: 'operations.desk@blue-harbor-logistics.example',
      consentStatus: 'pending',
    });
    const restricted = await createWaba(em, harbor, {
      status: 'account_restriction',
      businessVerificationStatus: 'pending_need_more_info',
    });
    await createNumber(em, partner, {
      client: harbor,
      waba: restricted,
      phoneNumber: '+447400123456',
      status: 'error',
      registrationStatus: 'failed',
    });
    await createNumber(em, partner, { client: harbor, waba: restricted, phoneNumber: '+447400123457', status: 'suspended' });
    await createNumber(em, partner, { client: harbor, phoneNumber: '+447400123458', status: 'error', displayName: 'Blue Harbor Dispatch' });
    const cafe = await createClient(em, partner, { name: 'Café Lumière' });
    const cafeWaba = await createWaba(em, cafe);
    await createNumber(em, partner, {
      client: cafe,
      waba: cafeWaba,
      phoneNumber: '+33612345678',
      displayName: 'Café Lumière Réservations',
    });
    await createNumber(em, partner, { client: cafe, waba: cafeWaba, phoneNumber: '+33612345679', displayName: 'Café Lumière Livraisons' });
    // Another partner's client of the same name stays out of this partner's search.
    const other = await createPartner(em, { name: 'Initech' });
    await createNumber(em, other, { client: { name: 'Café Lumière' }, phoneNumber: '+33698765432' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** A signed-in page at the given size; the person is `who` (the owner unless told). */
  async function signedIn(viewport = WIDE, who: MemberFixture = owner): Promise<Page> {
    const page = await newPage(browser, t.url, viewport);
    await signInAs(page, t.url, who.email, who.password);
    return page;
  }

  /** Loads a page and waits for its main heading: the state the checks read. */
  async function open(page: Page, path: string): Promise<void> {
    await page.goto(`${t.url}${path}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
  }

  /** How far the document is wider than the viewport (0 or less: no horizontal scrolling). */
  function overflow(page: Page): Promise<number> {
    return page.evaluate(() => {
      const w = globalThis as unknown as { innerWidth: number; document: { documentElement: { scrollWidth: number } } };
      return w.document.documentElement.scrollWidth - w.innerWidth;
    });
  }

  /** The elements inside `root` (and itself) whose right edge is past the viewport's, described for the failure message. */
  async function pastRightEdge(page: Page, root: Locator): Promise<string[]> {
    const width = page.viewportSize()!.width;
    const boxes = await root.evaluate((el) => {
      const all = [el, ...Array.from(el.querySelectorAll('*'))] as unknown as {
        tagName: string;
        id: string;
        className: string;
        getBoundingClientRect(): { right: number; width: number };
      }[];
      return all.map((e) => ({ what: `${e.tagName.toLowerCase()}#${e.id}.${String(e.className)}`, ...e.getBoundingClientRect() }));
    });
    return boxes.filter((b) => b.width > 0 && b.right > width + 0.5).map((b) => `${b.what} ends at ${Math.round(b.right)} px`);
  }

  async function box(locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
    const b = await locator.boundingBox();
    if (!b) throw new Error(`${locator} is not laid out`);
    return b;
  }

  /** The table's scroll width beyond its visible width (0 or less: the table fits its container). */
  function tableExcess(page: Page): Promise<number> {
    return page.locator('.table-wrap').evaluate((el) => {
      const e = el as unknown as { scrollWidth: number; clientWidth: number };
      return e.scrollWidth - e.clientWidth;
    });
  }

  const finder = (page: Page) => page.locator('form.finder');
  const panel = (page: Page) => page.locator('details.filter-panel');

  async function openFilterPanel(page: Page): Promise<void> {
    if ((await panel(page).getAttribute('open')) === null) await panel(page).locator('summary', { hasText: 'Filter by status' }).click();
    await panel(page).locator('fieldset.facet').first().waitFor();
  }

  /** The Sort by choices the closed select cuts before their end, which says which way they sort (24 px for its arrow). */
  async function cutSortChoices(page: Page): Promise<string[]> {
    return finder(page)
      .getByLabel('Sort by')
      .evaluate((select) => {
        type Select = { clientWidth: number; options: ArrayLike<{ text: string }> };
        const g = globalThis as unknown as {
          getComputedStyle(el: unknown): { font: string; paddingLeft: string; paddingRight: string };
          document: {
            createElement(tag: 'canvas'): { getContext(kind: '2d'): { font: string; measureText(s: string): { width: number } } };
          };
        };
        const { clientWidth, options } = select as unknown as Select;
        const style = g.getComputedStyle(select);
        const pen = g.document.createElement('canvas').getContext('2d');
        pen.font = style.font;
        const room = clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 24;
        return Array.from(options)
          .filter((o) => pen.measureText(o.text).width > room)
          .map((o) => o.text);
      });
  }

  const params = (page: Page) => new URL(page.url()).searchParams;
  const chipLabels = async (page: Page) =>
    (await page.locator('.chips .chip').allInnerTexts()).map((s) => s.replace(/\s*×\s*$/, '').trim());

  it('lays the filter bar out side by side at 1440 px and stacks it without overflow at 360 px', async () => {
    const page = await signedIn(WIDE);
    await open(page, '/accounts');
    await openFilterPanel(page);

    const tops = await Promise.all((await panel(page).locator('fieldset.facet').all()).map(async (f) => Math.round((await box(f)).y)));
    expect(tops).toHaveLength(FILTER_FAMILIES.length);
    const firstRow = tops.filter((top) => Math.abs(top - tops[0]) <= 1).length;
    expect(firstRow, `family fieldsets in the first row (tops ${tops.join(', ')})`).toBeGreaterThanOrEqual(4);

    // Search, sort, page size and the button: one row, left to right, the controls' tops aligned.
    const controls = [
      finder(page).getByRole('searchbox', { name: 'Search', exact: true }),
      finder(page).getByLabel('Sort by'),
      finder(page).getByLabel('Per page'),
      finder(page).getByRole('button', { name: 'Search', exact: true }),
    ];
    const boxes = await Promise.all(controls.map(box));
    for (const [i, b] of boxes.entries()) {
      expect(Math.abs(b.y - boxes[0].y), `control ${i} top against the search box's`).toBeLessThanOrEqual(2);
      if (i) expect(b.x, `control ${i} right of the one before`).toBeGreaterThan(boxes[i - 1].x + boxes[i - 1].width);
    }
    // Closed, Sort by shows each choice whole, up to the end that says which way it sorts.
    const cut = await cutSortChoices(page);
    expect(cut, 'Sort by choices cut at 1440 px').toEqual([]);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await expectAccessible(page);
    await screenshot(page, 'accounts-list-filters-1440');

    await page.setViewportSize(PHONE);
    await panel(page).locator('fieldset.facet').last().scrollIntoViewIfNeeded();
    expect(await overflow(page), 'horizontal overflow at 360 px').toBeLessThanOrEqual(0);
    expect(await pastRightEdge(page, finder(page))).toEqual([]);
    await expectAccessible(page);
    await screenshot(page, 'accounts-list-filters-360');
    // On a phone Sort by has a row of its own and still shows each choice whole (the same bar over the cards as over the table).
    expect(await cutSortChoices(page), 'Sort by choices cut at 360 px').toEqual([]);
    await page.context().close();
  });

  it('applies several statuses of a family and another family, shows them as chips, removes one and clears all', async () => {
    const page = await signedIn(WIDE);
    await open(page, '/accounts');
    await openFilterPanel(page);
    const numberStatus = panel(page).getByRole('group', { name: 'Number status' });
    await numberStatus.getByLabel('Error', { exact: true }).check();
    await numberStatus.getByLabel('Suspended', { exact: true }).check();
    await panel(page).getByRole('group', { name: 'WABA account' }).getByLabel('Account restricted', { exact: true }).check();
    await Promise.all([page.waitForURL(/waba=/), panel(page).getByRole('button', { name: 'Apply filters' }).click()]);

    expect(params(page).getAll('lifecycle')).toEqual(['error', 'suspended']);
    expect(params(page).getAll('waba')).toEqual(['account_restriction']);
    expect(await chipLabels(page)).toEqual(['Status: Error', 'Status: Suspended', 'WABA: Account restricted']);
    // The two restricted numbers in error or suspended, not the third harbor number (its WABA is approved).
    expect(await page.locator('table.numbers tbody tr').count()).toBe(2);
    await expect(page.locator('.results').innerText()).resolves.toMatch(/^2 numbers match/);
    // The panel stays closed, the chips show the filters and it says how many are in force; opened, its boxes are ticked.
    expect(await panel(page).getAttribute('open')).toBeNull();
    expect(await panel(page).locator('summary').innerText()).toBe('Filter by status (3 active)');
    await openFilterPanel(page);
    await expect(numberStatus.getByLabel('Suspended', { exact: true }).isChecked()).resolves.toBe(true);
    // On a phone the chips and the results follow the search form, not seven boxes of statuses.
    await page.setViewportSize(PHONE);
    await page.reload();
    expect((await box(page.locator('.chips'))).y, 'top of the chips at 360 px').toBeLessThan(1000);
    expect((await box(page.locator('table.numbers tbody tr').first())).y, 'top of the first result at 360 px').toBeLessThan(1200);
    await page.setViewportSize(WIDE);

    await Promise.all([
      page.waitForURL((url) => url.searchParams.getAll('lifecycle').length === 1),
      page.getByRole('link', { name: 'Remove Status: Suspended' }).click(),
    ]);
    expect(params(page).getAll('lifecycle')).toEqual(['error']);
    expect(params(page).getAll('waba')).toEqual(['account_restriction']);
    expect(await chipLabels(page)).toEqual(['Status: Error', 'WABA: Account restricted']);
    expect(await page.locator('table.numbers tbody tr').count()).toBe(1);

    await Promise.all([page.waitForURL((url) => !url.search.includes('waba=')), page.getByRole('link', { name: 'Clear all' }).click()]);
    expect([...params(page).keys()]).toEqual([]);
    expect(await page.locator('.chips').count()).toBe(0);
    expect(await page.locator('table.numbers tbody tr').count()).toBe(8);
    await page.context().close();
  });

  it('sorts the table by its headers and fits it at 1440 px; stacks its rows with labels at 360 px', async () => {
    const page = await signedIn(WIDE);
    await open(page, '/accounts');
    const table = page.locator('table.numbers');
    for (const name of ['Phone number', 'Display name', 'Client', 'Status', 'WABA', 'Billing', 'Needs attention', 'Created']) {
      await expect(table.getByRole('columnheader', { name, exact: true }).isVisible(), `header ${name}`).resolves.toBe(true);
    }
    const clientHeader = table.getByRole('columnheader', { name: 'Client', exact: true });
    expect(await clientHeader.getAttribute('aria-sort')).toBeNull();
    // A header that sorts says so before it is hovered: a muted ↕ (left out of its name) until it sorts, then its arrow.
    const sortHint = () =>
      clientHeader.getByRole('link').evaluate((a) => {
        const w = globalThis as unknown as { getComputedStyle(e: unknown, pseudo: string): { content: string } };
        return w.getComputedStyle(a, '::after').content;
      });
    expect(await sortHint()).toContain('↕');
    await Promise.all([page.waitForURL(/sort=client/), clientHeader.getByRole('link').click()]);
    expect(params(page).get('sort')).toBe('client');
    expect(await clientHeader.getAttribute('aria-sort')).toBe('ascending');
    expect(await sortHint()).toBe('none');
    expect(await clientHeader.innerText()).toBe('Client ▲');
    const clients = await table.locator('tbody tr td:nth-of-type(2) a').allInnerTexts();
    expect(clients).toEqual([...clients].sort((a, b) => a.localeCompare(b)));
    await Promise.all([page.waitForURL(/dir=desc/), clientHeader.getByRole('link').click()]);
    expect(await clientHeader.getAttribute('aria-sort')).toBe('descending');
    expect(await table.locator('tbody tr td:nth-of-type(2) a').allInnerTexts()).toEqual([...clients].reverse());

    expect(await overflow(page), 'horizontal overflow at 1440 px').toBeLessThanOrEqual(0);
    expect(await tableExcess(page), 'table wider than its container at 1440 px').toBeLessThanOrEqual(1);
    // "Partner pays", the billing state of nearly every row, on one line: as tall as a one-word badge.
    const billing = await box(table.locator('tbody .cell-billing .badge', { hasText: 'Partner pays' }).first());
    const oneWord = await box(table.locator('tbody td .badge', { hasText: /^Running$/ }).first());
    expect(billing.height, 'height of the "Partner pays" badge against "Running"').toBeLessThanOrEqual(oneWord.height + 1);
    // Each header on one line, its arrow beside its name ("Display name ↕", not "↕" under it).
    const headerLinks = await table.locator('thead th a').evaluateAll((links) =>
      links.map((a) => ({
        text: a.textContent,
        lines: new Set([...a.getClientRects()].map((r) => Math.round(r.bottom))).size,
      })),
    );
    expect(headerLinks.filter((h) => h.lines !== 1)).toEqual([]);
    await expectAccessible(page);
    await screenshot(page, 'accounts-list-table-1440');
    // Scrolled past the first row, the header row stays at the top of the screen, over the rows.
    await page.setViewportSize({ width: 1440, height: 500 });
    await table
      .locator('tbody tr')
      .nth(1)
      .evaluate((row) => {
        const w = globalThis as unknown as { scrollBy(x: number, y: number): void };
        w.scrollBy(0, (row as unknown as { getBoundingClientRect(): { top: number } }).getBoundingClientRect().top);
      });
    expect((await box(table.locator('thead th').first())).y, 'header row top after scrolling down').toBeCloseTo(0, 0);
    await page.setViewportSize(WIDE);
    // A common laptop's width: the twelve columns still fit without scrolling sideways.
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(await tableExcess(page), 'table wider than its container at 1280 px').toBeLessThanOrEqual(1);
    // Narrower, the table scrolls sideways in its box, and each row keeps its phone number at the box's left edge.
    await page.setViewportSize({ width: 1024, height: 900 });
    const excess = await tableExcess(page);
    expect(excess, 'table wider than its container at 1024 px').toBeGreaterThan(50);
    await page.locator('.table-wrap').evaluate((el, by) => {
      (el as unknown as { scrollLeft: number }).scrollLeft = by;
    }, excess);
    const wrapLeft = (await box(page.locator('.table-wrap'))).x;
    expect((await box(table.locator('tbody th').first())).x, 'phone cell after scrolling sideways').toBeCloseTo(wrapLeft, 0);
    expect((await box(table.locator('thead th').first())).x, 'its header after scrolling sideways').toBeCloseTo(wrapLeft, 0);

    await page.setViewportSize(PHONE);
    const row = table.locator('tbody tr').first();
    const cells = row.locator('th, td');
    const cellBoxes = await Promise.all((await cells.all()).map(box));
    for (const [i, b] of cellBoxes.entries()) {
      if (!i) continue;
      expect(Math.abs(b.x - cellBoxes[0].x), `cell ${i} stacked under the phone`).toBeLessThanOrEqual(1);
      expect(b.y, `cell ${i} below the one before`).toBeGreaterThanOrEqual(cellBoxes[i - 1].y + cellBoxes[i - 1].height - 1);
    }
    const labels = row.locator('td .cell-label');
    expect(await labels.count()).toBe(await row.locator('td').count());
    for (const label of await labels.all()) {
      await expect(label.isVisible()).resolves.toBe(true);
      expect((await label.innerText()).trim()).not.toBe('');
    }
    expect(await overflow(page), 'horizontal overflow at 360 px').toBeLessThanOrEqual(0);
    expect(await pastRightEdge(page, table)).toEqual([]);
    await expectAccessible(page);
    await screenshot(page, 'accounts-list-table-360');
    await page.context().close();
  });

  it('tabs from number to number through the table and the cards, past the badges, which a click still opens', async () => {
    const page = await signedIn(WIDE, await createMember(t.em(), partner, { role: 'member', name: 'Tina Tab' }));
    const focusedLink = () =>
      page.evaluate(() => {
        const g = globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } | null } };
        return g.document.activeElement?.getAttribute('href') ?? null;
      });
    for (const layout of ['table', 'cards'] as const) {
      await open(page, '/accounts?sort=phone');
      if (layout === 'cards') await chooseLayout(page, 'Cards');
      const numbers = page.locator(layout === 'table' ? 'table.numbers tbody th a' : 'article.card h4 a');
      const [first, second] = [await numbers.nth(0).getAttribute('href'), await numbers.nth(1).getAttribute('href')];
      await numbers.nth(0).focus();
      const stops: (string | null)[] = [];
      for (let i = 0; i < 6 && stops.at(-1) !== second; i++) {
        await page.keyboard.press('Tab');
        stops.push(await focusedLink());
      }
      expect(stops.at(-1), layout).toBe(second);
      expect(
        stops.filter((href) => href?.startsWith('/account-statuses')),
        layout,
      ).toEqual([]);
      expect(first).not.toBe(second);
      await Promise.all([page.waitForURL(/\/account-statuses#/), page.locator('a.badge').first().click()]);
    }
  });

  it('stops the Tab key only on what a phone shows, table and cards, and on everything it shows', async () => {
    const page = await signedIn(PHONE, await createMember(t.em(), partner, { role: 'member', name: 'Phoebe Phone' }));
    for (const layout of ['Table', 'Cards'] as const) {
      await open(page, '/accounts?sort=phone');
      if (layout === 'Cards') await chooseLayout(page, 'Cards');
      const { stops, unreached } = await tabWalk(page);
      expect(
        stops.filter((s) => !s.seen).map((s) => s.what),
        `${layout}: Tab stops nobody sees`,
      ).toEqual([]);
      expect(unreached, `${layout}: controls seen that Tab never reaches`).toEqual([]);
      // The walk went through the page: the sort, a number of each client, and on to the footer.
      expect(stops.map((s) => s.what)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^select#sort /),
          expect.stringContaining('+44 7400 123456'),
          expect.stringContaining('What do the statuses mean?'),
        ]),
      );
    }
    await page.context().close();
  });

  it('switches to cards, three to a row at 1440 px, keeps them after a reload and switches back to the table', async () => {
    // A person of their own: the layout is remembered per person.
    const person = await createMember(t.em(), partner, { role: 'member', name: 'Carla Cards' });
    const page = await signedIn(WIDE, person);
    await open(page, '/accounts');
    const layout = page.getByRole('form', { name: 'Layout' });
    await expect(layout.getByRole('button', { name: 'Table' }).getAttribute('aria-pressed')).resolves.toBe('true');
    await layout.getByRole('button', { name: 'Cards' }).click();
    await page.locator('article.card').first().waitFor();
    expect(await page.locator('table.numbers').count()).toBe(0);
    await expect(layout.getByRole('button', { name: 'Cards' }).getAttribute('aria-pressed')).resolves.toBe('true');

    const tops = await Promise.all((await page.locator('ul.cards > li').all()).slice(0, 4).map(async (c) => Math.round((await box(c)).y)));
    expect(tops, 'card tops').toHaveLength(4);
    expect(tops[1]).toBe(tops[0]);
    expect(tops[2]).toBe(tops[0]);
    expect(tops[3]).toBeGreaterThan(tops[0]);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await expectAccessible(page);
    await screenshot(page, 'accounts-list-cards-1440');
    // One card's status overview opened: the others of its row keep their height, not the open card's.
    const row = page.locator('article.card');
    const closedHeight = (await box(row.nth(0))).height;
    await row.nth(1).locator('details.overview summary').click();
    expect((await box(row.nth(1))).height).toBeGreaterThan(closedHeight * 2);
    expect((await box(row.nth(0))).height, 'height of the closed card beside it').toBeLessThanOrEqual(closedHeight + 1);
    await row.nth(1).locator('details.overview summary').click();

    await page.reload();
    await page.locator('article.card').first().waitFor();
    expect(await page.locator('table.numbers').count()).toBe(0);

    await page.setViewportSize(PHONE);
    expect(await overflow(page), 'horizontal overflow of the cards at 360 px').toBeLessThanOrEqual(0);
    await expectAccessible(page);
    await screenshot(page, 'accounts-list-cards-360');

    await page.setViewportSize(WIDE);
    await layout.getByRole('button', { name: 'Table' }).click();
    await page.locator('table.numbers').waitFor();
    expect(await page.locator('article.card').count()).toBe(0);
    await page.context().close();
  });

  it('opens a client page from a row and lays it out without overflow at 1440 and 360 px', async () => {
    const page = await signedIn(WIDE);
    await open(page, '/accounts');
    await Promise.all([
      page.waitForURL(`**/clients/${harbor.id}`),
      page.locator('table.numbers tbody').getByRole('link', { name: harbor.name }).first().click(),
    ]);
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe(harbor.name);
    expect(await page.locator('table.numbers tbody tr').count()).toBe(3);
    for (const viewport of [WIDE, PHONE]) {
      await page.setViewportSize(viewport);
      expect(await overflow(page), `horizontal overflow of the client page at ${viewport.width} px`).toBeLessThanOrEqual(0);
      expect(await pastRightEdge(page, page.locator('main'))).toEqual([]);
      await expectAccessible(page);
      await screenshot(page, `accounts-client-${viewport.width}`);
    }
    await page.context().close();
  });

  it('searches from the top bar of another page, forgiving accents, and lands on the list with the results', async () => {
    const page = await signedIn(WIDE);
    await open(page, '/users');
    const top = page.getByRole('search', { name: 'Search numbers' });
    await top.getByRole('searchbox', { name: 'Search numbers' }).fill('cafe lumiere');
    await Promise.all([page.waitForURL((url) => url.pathname === '/accounts'), top.getByRole('button', { name: 'Search' }).click()]);
    expect(params(page).get('q')).toBe('cafe lumiere');
    const clients = await page.locator('table.numbers tbody tr td:nth-of-type(2)').allInnerTexts();
    expect(clients.map((c) => c.trim())).toEqual(['Café Lumière', 'Café Lumière']);
    await expect(page.locator('.results').innerText()).resolves.toMatch(/^2 numbers match/);
    await page.context().close();
  });
});
