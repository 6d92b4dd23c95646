import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailWorker } from '../../src/mail/mail-worker.service';
import { familyValues } from '../../src/statuses';
import { UsersService } from '../../src/users/users.service';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createNumber } from '../factories/accounts';
import { createTestAppWithSmtp, type TestApp } from '../support/app';
import { ARTIFACTS, expectAccessible, launchBrowser, newPage, screenshot, signInAs } from '../support/browser';
import { linkIn, type TestSmtp } from '../support/smtp';

const WIDTHS = [360, 768, 1440] as const;
/** An address as long as people really have, with no place to break but the dots and the @. */
const LONG_EMAIL = 'maximiliane.vonundzu-hohenstaufen-wittelsbach@kommunikationsdienstleistungen-international.example';

/** How far the page reaches past the right edge of the window (0 or less: no sideways scroll). */
function overflowOf(page: Page): Promise<number> {
  return page.evaluate(() => {
    const w = globalThis as unknown as { innerWidth: number; document: { documentElement: { scrollWidth: number } } };
    return w.document.documentElement.scrollWidth - w.innerWidth;
  });
}

/** The right edge of an element, in px from the left of the window. */
async function rightEdge(page: Page, selector: string): Promise<number> {
  const box = await page.locator(selector).first().boundingBox();
  if (!box) throw new Error(`${selector} is not on the page`);
  return box.x + box.width;
}

/** At each width: nothing wider than the window, no serious axe violation, a screenshot kept. */
async function checkWidths(page: Page, name: string, more?: (width: number) => Promise<void>) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    expect(await overflowOf(page), `${name}: horizontal overflow at ${width} px`).toBeLessThanOrEqual(0);
    await more?.(width);
    await expectAccessible(page);
    await screenshot(page, `${name}-${width}`);
  }
}

describe('the Users pages at 360, 768 and 1440 px', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  let browser: Browser;
  let owner: MemberFixture;
  let longMember: MemberFixture;
  let page: Page;
  let partnerId: string;

  beforeAll(async () => {
    ({ t, smtp } = await createTestAppWithSmtp({ listen: true }));
    const partner = await createPartner(t.em(), { name: 'Globex Partners International Holding' });
    partnerId = partner.id;
    owner = await createMember(t.em(), partner, { role: 'owner', name: 'Olivia Owner' });
    longMember = await createMember(t.em(), partner, { role: 'member', name: 'Maximiliane von und zu Hohenstaufen', email: LONG_EMAIL });
    await createMember(t.em(), partner, { role: 'member', name: 'Ivo Invited', accepted: false });
    browser = await launchBrowser();
    page = await newPage(browser, t.url);
    await signInAs(page, t.url, owner.email, owner.password);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows the team without sideways scroll, every action on screen, long emails wrapped at the edge', async () => {
    await page.goto(`${t.url}/users`);
    await checkWidths(page, 'users-team', async (width) => {
      const row = page.getByRole('row', { name: /Maximiliane/ });
      for (const action of [/^Make owner/, /^Remove/]) {
        const link = row.getByRole('link', { name: action });
        expect(await link.isVisible(), `${action} visible at ${width} px`).toBe(true);
        const box = (await link.boundingBox())!;
        expect(box.x + box.width, `${action} on screen at ${width} px`).toBeLessThanOrEqual(width);
      }
      expect(await rightEdge(page, '.team-email >> nth=1')).toBeLessThanOrEqual(width);
      // Wrapped inside its cell, not cut: the whole address is still there.
      expect(await row.innerText()).toContain(LONG_EMAIL);
    });
  });

  it('stacks each person into labelled lines on a phone, and keeps the table with its headers on a wide screen', async () => {
    await page.goto(`${t.url}/users`);
    await page.setViewportSize({ width: 360, height: 900 });
    const emailLabel = page.getByRole('row', { name: /Olivia Owner/ }).locator('.team-label', { hasText: 'Email' });
    expect(await emailLabel.isVisible()).toBe(true);
    expect(await page.locator('.team thead').boundingBox()).toMatchObject({ width: 1, height: 1 });
    await page.setViewportSize({ width: 1440, height: 900 });
    expect(await emailLabel.isVisible()).toBe(false);
    expect(await page.getByRole('columnheader', { name: 'Email' }).isVisible()).toBe(true);
  });

  it('fits the removal and role confirmation pages, and their buttons do what they say', async () => {
    await page.goto(`${t.url}/users`);
    await page
      .getByRole('row', { name: /Maximiliane/ })
      .getByRole('link', { name: /^Remove/ })
      .click();
    expect(new URL(page.url()).pathname).toBe(`/users/${longMember.membership.id}/remove`);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(
      'Remove Maximiliane von und zu Hohenstaufen from Globex Partners International Holding?',
    );
    await checkWidths(page, 'users-confirm-remove', async (width) => {
      expect(await rightEdge(page, '.confirm .team-email')).toBeLessThanOrEqual(width);
    });
    await page.getByRole('link', { name: 'Cancel' }).click();
    expect(new URL(page.url()).pathname).toBe('/users');

    await page
      .getByRole('row', { name: /Maximiliane/ })
      .getByRole('link', { name: /^Make owner/ })
      .click();
    expect(new URL(page.url()).search).toBe('?role=owner');
    await checkWidths(page, 'users-confirm-role');
    await page.getByRole('button', { name: 'Make owner' }).click();
    await page.waitForURL(`${t.url}/users`);
    expect(await page.getByRole('status').innerText()).toContain(`${LONG_EMAIL} is now an owner.`);
  });

  it('fits + Add user and the invitation page', async () => {
    await page.goto(`${t.url}/users/new`);
    await checkWidths(page, 'users-new');

    await t.app
      .get(UsersService)
      .invite(partnerId, { name: 'Nina New', email: 'nina.newcomer@globex-partners-international.example', role: 'member' }, null);
    await t.app.get(MailWorker).sendDue(t.clock.now());
    const invitee = await newPage(browser, t.url);
    await invitee.goto(linkIn(await smtp.waitFor('nina.newcomer@globex-partners-international.example')));
    expect(new URL(invitee.url()).pathname).toBe('/invitations');
    await checkWidths(invitee, 'users-invitation');
    await invitee.context().close();
  });
});

describe('the status mix and an empty list in a browser', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    ({ t } = await createTestAppWithSmtp({ listen: true }));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('hatches every status present differently, bar and legend alike', async () => {
    const partner = await createPartner(t.em(), { name: 'Mix Partner' });
    const owner = await createMember(t.em(), partner, { role: 'owner' });
    const lifecycle = familyValues('lifecycle');
    for (const status of lifecycle) await createNumber(t.em(), partner, { status });
    const page = await newPage(browser, t.url);
    await signInAs(page, t.url, owner.email, owner.password);
    await page.goto(`${t.url}/accounts`);
    const fillsOf = async (selector: string) => Promise.all((await page.locator(selector).all()).map((r) => r.getAttribute('fill')));
    const bar = await fillsOf('svg.mix rect');
    expect(new Set(bar).size).toBe(lifecycle.length);
    // Each segment's fill is its pattern with its plain colour as fallback: "url(#mix-error) #b42318".
    expect(await fillsOf('.summary-counts .swatch rect')).toEqual(bar.map((f) => f!.split(' ')[0]));
    expect(await page.locator('svg.mix-defs pattern').count()).toBe(lifecycle.length);
    await checkWidths(page, 'status-mix', async (width) => {
      await page.locator('.summary').screenshot({ path: join(ARTIFACTS, `status-mix-summary-${width}.png`) });
    });
    await page.context().close();
  });

  it('shows a partner with no numbers no alarm and no command line', async () => {
    const partner = await createPartner(t.em(), { name: 'Empty Partner' });
    const owner = await createMember(t.em(), partner, { role: 'owner' });
    const page = await newPage(browser, t.url);
    await signInAs(page, t.url, owner.email, owner.password);
    await page.goto(`${t.url}/accounts`);
    const main = await page.locator('main').innerText();
    expect(main).toContain('Your numbers appear here once your provider has connected them');
    expect(main).not.toContain('need attention');
    expect(await page.locator('main code').count()).toBe(0);
    await checkWidths(page, 'accounts-empty');
    await page.context().close();
  });
});
