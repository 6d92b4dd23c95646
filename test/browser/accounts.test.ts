import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WhatsappNumber } from '../../src/accounts/entities/whatsapp-number.entity';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createClient, createNumber, createStatusChange, createWaba } from '../factories/accounts';
import { createTestApp, type TestApp } from '../support/app';
import { chooseLayout, expectAccessible, launchBrowser, newPage, screenshot, signInAs } from '../support/browser';

describe('WhatsApp Accounts in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let owner: MemberFixture;
  let target: WhatsappNumber;
  let acmeId: string;

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    const partner = await createPartner(t.em(), { name: 'Globex Partners' });
    owner = await createMember(t.em(), partner, { role: 'owner', name: 'Olivia Owner' });
    const acme = await createClient(t.em(), partner, { name: 'Acme Retail GmbH', contactEmail: 'ops@acme.example' });
    acmeId = acme.id;
    const acmeWaba = await createWaba(t.em(), acme, { externalId: '2233445566', namespace: '1234_abcd_12ab', timezoneId: 47 });
    target = await createNumber(t.em(), partner, {
      client: acme,
      waba: acmeWaba,
      phoneNumber: '+4915123456789',
      displayName: 'Acme Support',
    });
    await createStatusChange(t.em(), target, { from: 'ready', to: 'running' });
    await createNumber(t.em(), partner, {
      client: acme,
      waba: acmeWaba,
      phoneNumber: '+4930901820',
      displayName: 'Acme Hotline',
      status: 'ready',
    });
    const harbor = await createClient(t.em(), partner, { name: 'Blue Harbor Logistics Ltd', consentStatus: 'pending' });
    await createNumber(t.em(), partner, {
      client: harbor,
      waba: { status: 'account_restriction', businessVerificationStatus: 'pending_need_more_info' },
      phoneNumber: '+447400123456',
      displayName: 'Blue Harbor Dispatch',
      status: 'error',
      registrationStatus: 'failed',
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function overflow(page: Page): Promise<number> {
    return page.evaluate(() => {
      const w = globalThis as unknown as { innerWidth: number; document: { documentElement: { scrollWidth: number } } };
      return w.document.documentElement.scrollWidth - w.innerWidth;
    });
  }

  it('signs in, searches a number, opens its status view in place and its details page', async () => {
    const page = await newPage(browser, t.url);
    await signInAs(page, t.url, owner.email, owner.password);
    expect(new URL(page.url()).pathname).toBe('/accounts');
    await expect(page.getByRole('heading', { name: 'WhatsApp Accounts', level: 1 }).isVisible()).resolves.toBe(true);
    // The table is the list's layout until the person picks the cards.
    await expect(page.locator('table.numbers tbody tr').count()).resolves.toBe(3);
    await expectAccessible(page);
    await screenshot(page, 'accounts-list');

    // The whole phone number, as a person types it, opens the number's page.
    const finder = page.getByRole('search', { name: 'Find numbers' });
    const search = (q: string) => finder.getByRole('searchbox', { name: 'Search' }).fill(q);
    const submit = () => finder.getByRole('button', { name: 'Search', exact: true }).click();
    await search('+49 151 2345 6789');
    await Promise.all([page.waitForURL((url) => url.pathname === `/accounts/${target.id}`), submit()]);
    await expect(page.getByRole('heading', { name: '+49 1512 3456789', level: 1 }).isVisible()).resolves.toBe(true);
    // Its crumb leads back to that search, listed.
    await Promise.all([
      page.waitForURL(/\/accounts\?q=/),
      page.locator('.breadcrumb').getByRole('link', { name: 'WhatsApp Accounts' }).click(),
    ]);
    await expect(finder.getByRole('searchbox', { name: 'Search' }).inputValue()).resolves.toBe('+49 151 2345 6789');
    await expect(page.locator('table.numbers tbody tr').count()).resolves.toBe(1);

    // Part of it lists the numbers it matches, here as cards.
    await page.goto(`${t.url}/accounts`);
    await chooseLayout(page, 'Cards');
    await search('+49 151 2345');
    await Promise.all([page.waitForURL(/q=/), submit()]);
    const url = new URL(page.url());
    expect(url.searchParams.get('q')).toBe('+49 151 2345');
    const cards = page.locator('article.card');
    await expect(cards.count()).resolves.toBe(1);
    await expect(cards.first().getByRole('heading', { name: '+49 1512 3456789' }).isVisible()).resolves.toBe(true);
    await screenshot(page, 'accounts-search');

    // The card's top-right control opens the overall status view in place.
    const overview = cards.first().locator('details.overview');
    await expect(overview.getAttribute('open')).resolves.toBeNull();
    await overview.locator('summary').click();
    await expect(overview.getAttribute('open')).resolves.toBe('');
    await expect(overview.getByText('Consent status').isVisible()).resolves.toBe(true);
    await expect(overview.getByText('The number is active and can send and receive messages.').isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    const statusShot = await screenshot(page, 'accounts-status-view');
    expect(existsSync(statusShot)).toBe(true);

    // Show details, with the way back to this search.
    await Promise.all([
      page.waitForURL(
        (u) =>
          u.pathname === `/accounts/${target.id}` &&
          u.searchParams.get('back') === `/accounts?${new URLSearchParams({ q: '+49 151 2345' })}`,
      ),
      cards
        .first()
        .getByRole('link', { name: /Show details/ })
        .click(),
    ]);
    await expect(page.getByRole('heading', { name: '+49 1512 3456789', level: 1 }).isVisible()).resolves.toBe(true);
    await expect(page.getByText(/Europe\/Berlin \(UTC\+0[12]:00\)/).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('heading', { name: 'Status history' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('heading', { name: 'Danger Zone' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    const detailsShot = await screenshot(page, 'accounts-details');
    expect(existsSync(detailsShot)).toBe(true);
    await page.context().close();
  });

  it('lays out the list (table and cards), the details and the statuses page from 360 px to 1440 px without overflow, accessibly', async () => {
    const page = await newPage(browser, t.url);
    await signInAs(page, t.url, owner.email, owner.password);
    const fits = async (path: string, layout: string) => {
      await page.goto(`${t.url}${path}`);
      for (const width of [360, 1440]) {
        await page.setViewportSize({ width, height: 900 });
        expect(await overflow(page), `horizontal overflow of ${path} (${layout}) at ${width} px`).toBeLessThanOrEqual(0);
        await expectAccessible(page);
      }
    };
    for (const path of ['/accounts', `/accounts/${target.id}`, '/account-statuses', '/accounts?lifecycle=inactive'])
      await fits(path, 'table');
    await page.setViewportSize({ width: 1280, height: 900 });
    await chooseLayout(page, 'Cards');
    await fits('/accounts', 'cards');
    await page.goto(`${t.url}/accounts`);
    await page.setViewportSize({ width: 360, height: 900 });
    await page.locator('details.overview summary').first().click();
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'accounts-status-view-360');
    await page.context().close();
  });

  it('shows a Copy button only where the script runs, on the details, a client and a new API key, and each copies its value', async () => {
    /** The pages with Copy buttons, each as a person reaches it; the last one makes an API key through its form. */
    const visit = async (page: Page, path: string) => {
      await page.goto(`${t.url}${path}`);
      if (path.endsWith('/new')) {
        await page.getByLabel('Name').fill(`Copied ${Date.now()}`);
        await Promise.all([page.waitForURL(`${t.url}/settings/api-keys`), page.getByRole('button', { name: 'Create key' }).click()]);
        await page.getByRole('heading', { name: 'Your new API key' }).waitFor();
      }
    };
    const paths = [`/accounts/${target.id}`, `/clients/${acmeId}`, '/settings/api-keys/new'];

    // Without JavaScript the buttons are in the page, but nobody sees, presses or tabs to one that would do nothing.
    const context = await browser.newContext({ baseURL: t.url, javaScriptEnabled: false, viewport: { width: 1280, height: 800 } });
    const off = await context.newPage();
    await signInAs(off, t.url, owner.email, owner.password);
    for (const path of paths) {
      await visit(off, path);
      const buttons = off.locator('button[data-copy]');
      expect(await buttons.count(), path).toBeGreaterThan(0);
      for (const button of await buttons.all()) await expect(button.isVisible(), path).resolves.toBe(false);
      expect(await off.getByRole('button', { name: /^Copy/ }).count(), path).toBe(0);
    }
    await context.close();

    // With it, each shows and puts its value on the clipboard.
    const page = await newPage(browser, t.url);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
    await signInAs(page, t.url, owner.email, owner.password);
    const clipboard = () =>
      page.evaluate(() =>
        (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText(),
      );
    for (const path of paths) {
      await visit(page, path);
      const buttons = await page.getByRole('button', { name: /^Copy/ }).all();
      expect(buttons.length, path).toBe(await page.locator('button[data-copy]').count());
      // Screen readers are told through a polite live region the page had from the start (one written later is not read).
      const announce = page.locator('[aria-live="polite"][aria-atomic="true"]');
      await expect(announce.innerText(), path).resolves.toBe('');
      for (const button of buttons) {
        await expect(button.isVisible(), path).resolves.toBe(true);
        await button.click();
        await expect.poll(clipboard).toBe(await button.getAttribute('data-copy'));
        await expect(button.innerText()).resolves.toBe('Copied');
        const name = (await button.getAttribute('aria-label'))!.replace(/^Copy /, '');
        await expect.poll(() => announce.innerText(), { message: path }).toBe(`${name} copied.`);
      }
    }
    await page.context().close();
  });

  it('lands a badge on its entry on the Account statuses page', async () => {
    const page = await newPage(browser, t.url);
    await signInAs(page, t.url, owner.email, owner.password);
    await page.goto(`${t.url}/accounts?lifecycle=error`);
    await chooseLayout(page, 'Table');
    await Promise.all([
      page.waitForURL(/account-statuses#lifecycle-error/),
      page.locator('table.numbers tbody a.badge', { hasText: 'Error' }).first().click(),
    ]);
    await expect(page.locator('#lifecycle-error').isVisible()).resolves.toBe(true);
    await page.context().close();
  });
});
