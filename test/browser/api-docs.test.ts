import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app';
import { ARTIFACTS, launchBrowser, newPage, sidewaysScroll } from '../support/browser';

/**
 * The API reference (/api/docs) as a developer reads it: every operation opened, its examples
 * shown, "Try it out" starting from empty fields, and the page no wider than a phone; the
 * operator API's (/api/operator/docs) likewise. Full-page screenshots are kept under
 * test/artifacts/api-docs/.
 */
describe('the API reference in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  const shots = join(ARTIFACTS, 'api-docs');

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    browser = await launchBrowser();
    mkdirSync(shots, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows the examples of every operation, starts "Try it out" empty, and fits 360 and 1440 px', async () => {
    const page = await newPage(browser, t.url);
    await page.goto(`${t.url}/api/docs`);
    const operations = page.locator('.opblock');
    await operations.first().waitFor();
    const count = await operations.count();
    expect(count).toBe(10);
    // The way back to the hub, and to the page where keys are made.
    expect(await page.title()).toBe('Partner Hub API reference');
    await expect(page.getByRole('banner').getByRole('link', { name: 'Partner Hub' }).getAttribute('href')).resolves.toBe('/');
    await expect(page.locator('.info').getByRole('link', { name: 'API keys' }).getAttribute('href')).resolves.toBe('/settings/api-keys');
    for (let i = 0; i < count; i++) {
      await operations.nth(i).locator('.opblock-summary').click();
      await operations.nth(i).locator('.responses-table').first().waitFor();
    }

    const list = page.locator('#operations-Numbers-listNumbers');
    await expect(list.locator('.response[data-code="200"] .example').innerText()).resolves.toContain('Café Lumière');
    await expect(list.locator('tr[data-param-name="lifecycle"]').innerText()).resolves.toContain('lifecycle=error&lifecycle=suspended');
    await expect(
      page.locator('#operations-Revocation-requestRevocation .response[data-code="409"] select').nth(1).innerText(),
    ).resolves.toContain('Revocation was already requested');

    await list.getByRole('button', { name: 'Try it out' }).click();
    const filled = await list
      .locator('.parameters input')
      .evaluateAll((inputs) =>
        inputs.map((i) => [(i as unknown as { placeholder: string }).placeholder, (i as unknown as { value: string }).value]),
      );
    expect(filled.filter(([name, value]) => value !== '' && !(name === 'limit' && value === '50'))).toEqual([]);

    // A response's examples select is as wide as the operation's column (stacked under its status
    // on a phone), not squeezed beside the media type: its title stays readable.
    const examples = page.locator('#operations-Revocation-requestRevocation .response[data-code="409"] select').nth(1);
    for (const width of [360, 1440]) {
      await page.setViewportSize({ width, height: 900 });
      expect((await sidewaysScroll(page)).page, `${width} px`).toBeLessThanOrEqual(0);
      expect((await examples.boundingBox())!.width, `${width} px`).toBeGreaterThan(width === 360 ? 220 : 300);
      await page.screenshot({ path: join(shots, `api-docs-${width}.png`), fullPage: true });
    }
    await page.context().close();
  });

  it('scrolls to the problem type that an error names', async () => {
    const { type } = (await t.http().get('/api/v1/numbers')).body as { type: string };
    expect(type).toBe('/api/docs#problem-unauthorized');
    const page = await newPage(browser, t.url, { width: 360, height: 800 });
    await expectScrolledTo(page, type, '401 Authentication required');
    await page.context().close();
  });

  it('draws the operator API’s own reference, where its problem types point, within 360 and 1440 px', async () => {
    const { type } = (await t.http().put('/api/operator/v1/partners/any/channels').send({})).body as { type: string };
    expect(type).toBe('/api/operator/docs#problem-unauthorized');
    const page = await newPage(browser, t.url, { width: 360, height: 800 });
    await expectScrolledTo(page, '/api/operator/docs#problem-invalid-records', '422 Some records are not valid');
    const operation = page.locator('#operations-Ingestion-putPartnerChannels');
    await expect(page.locator('.opblock').count()).resolves.toBe(1);
    await operation.locator('.opblock-summary').click();
    await operation.locator('.responses-table').first().waitFor();
    await expect(operation.locator('.response[data-code="422"] select').nth(1).innerText()).resolves.toContain('records are invalid');
    expect(await page.title()).toBe('Partner Hub operator API reference');
    for (const width of [360, 1440]) {
      await page.setViewportSize({ width, height: 900 });
      expect((await sidewaysScroll(page)).page, `${width} px`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(shots, `operator-docs-${width}.png`), fullPage: true });
    }
    await page.context().close();
  });
});

/**
 * Opens a problem type's URI and waits until swagger-ui has drawn the list and scrolled to its
 * entry: at the top of the window, or (near the end of a short page) the page scrolled to its end
 * with the entry in view.
 */
async function expectScrolledTo(page: Page, type: string, title: string): Promise<void> {
  await page.goto(type);
  const entry = page.locator(`#${type.split('#')[1]}`);
  await entry.waitFor({ state: 'attached' });
  const scrolledTo = () =>
    entry.evaluate((e) => {
      const w = globalThis as unknown as { scrollY: number; innerHeight: number; document: { documentElement: { scrollHeight: number } } };
      const top = (e as unknown as { getBoundingClientRect(): { top: number } }).getBoundingClientRect().top;
      const atEnd = w.scrollY > 0 && Math.abs(w.scrollY + w.innerHeight - w.document.documentElement.scrollHeight) < 1;
      return Math.abs(top) < 1 || (atEnd && top > 0 && top < w.innerHeight - 40);
    });
  await expect.poll(scrolledTo).toBe(true);
  await expect(page.locator('li', { has: entry }).innerText()).resolves.toContain(title);
}
