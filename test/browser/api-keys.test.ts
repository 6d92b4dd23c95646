import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createTestApp, type TestApp } from '../support/app';
import { launchBrowser, newPage, signInAs } from '../support/browser';

describe('a new API key in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let owner: MemberFixture;

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    const partner = await createPartner(t.em(), { name: 'Keyholders' });
    owner = await createMember(t.em(), partner, { role: 'owner' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const keysNamed = async (name: string) => (await t.em().getConnection().execute('select id from api_key where name = ?', [name])).length;

  it('makes one key, and shows it, when Create key is pressed again while the first press is on its way; a reload of the key shown once makes none', async () => {
    const page = await newPage(browser, t.url);
    await signInAs(page, t.url, owner.email, owner.password);
    await page.goto(`${t.url}/settings/api-keys/new`);
    await page.getByLabel('Name').fill('Pressed twice');
    // The server holds the first sending until the button was pressed again, as a slow network would.
    const sent: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(`${t.url}/settings/api-keys`, async (route) => {
      if (route.request().method() === 'POST') {
        sent.push(route.request().url());
        await held;
      }
      await route.continue().catch(() => undefined); // a sending the browser gave up for a newer one
    });
    // The mouse, not the locator: a locator waits for the first sending to come back.
    const box = (await page.getByRole('button', { name: 'Create key' }).boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(() => sent.length, { timeout: 20_000 }).toBe(1);
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    release();
    await page.getByRole('heading', { name: 'Your new API key' }).waitFor();
    await page.unroute(`${t.url}/settings/api-keys`);
    // The page sent the form once, so the answer shown is the one with the key.
    expect(sent).toHaveLength(1);
    expect(await keysNamed('Pressed twice')).toBe(1);

    await page.reload();
    await page.waitForURL(`${t.url}/settings/api-keys`);
    expect(await page.getByRole('status').innerText()).toContain('This form was already sent: it created the key "Pressed twice"');
    expect(await keysNamed('Pressed twice')).toBe(1);
  });
});
