import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionRecord } from '../../src/auth/entities/session.entity';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createTestApp, type TestApp } from '../support/app';
import { expectAccessible, launchBrowser, newPage, screenshot, signInAs } from '../support/browser';

describe('the layout in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let owner: MemberFixture;
  let member: MemberFixture;

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    const partner = await createPartner(t.em(), { name: 'Globex Partners' });
    owner = await createMember(t.em(), partner, { role: 'owner', name: 'Olivia Owner' });
    member = await createMember(t.em(), partner, { role: 'member', name: 'Max Member' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });

  it('serves the app on its own configured origin', () => {
    expect(t.url).toBe(t.config.baseUrl);
  });

  it('shows an accessible sign-in page', async () => {
    const page = await newPage(browser, t.url);
    await page.goto(`${t.url}/login`);
    await expect(page.getByRole('heading', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshot(page, 'layout-login');
    await page.context().close();
  });

  it('signs an owner in through the form and shows the whole navigation, the partner and Sign out', async () => {
    const page = await newPage(browser, t.url);
    await signInAs(page, t.url, owner.email, owner.password);
    expect(new URL(page.url()).pathname).toBe('/accounts');
    for (const item of ['WhatsApp Accounts', 'Users', 'Account statuses', 'Activity']) {
      await expect(nav(page).getByRole('link', { name: item, exact: true }).isVisible()).resolves.toBe(true);
    }
    await expect(nav(page).getByRole('link', { name: 'WhatsApp Accounts' }).getAttribute('aria-current')).resolves.toBe('page');
    await expect(page.getByText('Globex Partners', { exact: true }).isVisible()).resolves.toBe(true);
    await expect(page.getByText('Olivia Owner').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Sign out' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);

    // Usable from a phone to a wide screen: nothing wider than the viewport.
    for (const width of [360, 1440]) {
      await page.setViewportSize({ width, height: 900 });
      const overflow = await page.evaluate(() => {
        const w = globalThis as unknown as { innerWidth: number; document: { documentElement: { scrollWidth: number } } };
        return w.document.documentElement.scrollWidth - w.innerWidth;
      });
      expect(overflow, `horizontal overflow at ${width} px`).toBeLessThanOrEqual(0);
      await expectAccessible(page);
      const file = await screenshot(page, `layout-accounts-${width}`);
      expect(existsSync(file)).toBe(true);
    }
    await page.context().close();
  });

  it('hides Activity from a member', async () => {
    const page = await newPage(browser, t.url);
    await signInAs(page, t.url, member.email, member.password);
    await expect(nav(page).getByRole('link', { name: 'Users' }).isVisible()).resolves.toBe(true);
    await expect(nav(page).getByRole('link', { name: 'Activity' }).count()).resolves.toBe(0);
    await page.context().close();
  });

  it('signs out with the Sign out button, deleting the session, and goes back to sign-in', async () => {
    const page = await newPage(browser, t.url);
    await signInAs(page, t.url, owner.email, owner.password);
    const before = await t.em().count(SessionRecord, { userId: owner.user.id });
    expect(before).toBeGreaterThan(0);
    const signedIn = Object.fromEntries((await page.context().cookies()).map((c) => [c.name, c.value]));
    expect(signedIn['hub.browser']).toMatch(/^[\w-]{22}\.[\w-]{22}$/);
    await Promise.all([page.waitForURL(`${t.url}/login?signed_out=1`), page.getByRole('button', { name: 'Sign out' }).click()]);
    await expect(page.getByRole('heading', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
    expect(await t.em().count(SessionRecord, { userId: owner.user.id })).toBe(before - 1);
    // The session's cookie went (the sign-in page gave a new one); the browser stays known to the account (known-browser.ts).
    const cookies = Object.fromEntries((await page.context().cookies()).map((c) => [c.name, c.value]));
    expect(cookies['hub.sid']).not.toBe(signedIn['hub.sid']);
    expect(cookies['hub.browser']).toBe(signedIn['hub.browser']);
    // The signed-out browser is sent back to sign in.
    await page.goto(`${t.url}/accounts`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.context().close();
  });
});
