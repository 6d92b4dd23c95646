import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app';
import { ARTIFACTS, launchBrowser, newPage, sidewaysScroll } from '../support/browser';

/**
 * The API reference (/api/docs) as a developer reads it: every operation opened, its examples
 * shown, "Try it out" starting from empty fields, and the page no wider than a phone. Full-page
 * screenshots are kept under test/artifacts/api-docs/.
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

    for (const width of [360, 1440]) {
      await page.setViewportSize({ width, height: 900 });
      expect((await sidewaysScroll(page)).page, `${width} px`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(shots, `api-docs-${width}.png`), fullPage: true });
    }
    await page.context().close();
  });

  it('scrolls to the problem type that an error names', async () => {
    const { type } = (await t.http().get('/api/v1/numbers')).body as { type: string };
    expect(type).toBe('/api/docs#problem-unauthorized');
    const page = await newPage(browser, t.url, { width: 360, height: 800 });
    await page.goto(`${t.url}${type}`);
    const entry = page.locator('#problem-unauthorized');
    await entry.waitFor({ state: 'attached' });
    // At the top of the window: scrolled there once swagger-ui had drawn the list.
    const top = () => entry.evaluate((e) => (e as unknown as { getBoundingClientRect(): { top: number } }).getBoundingClientRect().top);
    await expect.poll(async () => Math.abs(await top()) < 1).toBe(true);
    await expect(page.locator('li', { has: entry }).innerText()).resolves.toContain('401 Authentication required');
    await page.context().close();
  });
});
