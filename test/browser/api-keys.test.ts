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

  it('makes one key for a double click on Create key, and a reload of the key shown once makes none', async () => {
    const page = await newPage(browser, t.url);
    await signInAs(page, t.url, owner.email, owner.password);
    await page.goto(`${t.url}/settings/api-keys/new`);
    await page.getByLabel('Name').fill('Pressed twice');
    await page.getByRole('button', { name: 'Create key' }).dblclick();
    await page.getByRole('heading', { name: 'Your new API key' }).waitFor();
    expect(await keysNamed('Pressed twice')).toBe(1);

    await page.reload();
    await page.waitForURL(`${t.url}/settings/api-keys`);
    expect(await page.getByRole('status').innerText()).toContain('This form was already sent: it created the key "Pressed twice"');
    expect(await keysNamed('Pressed twice')).toBe(1);
  });
});
