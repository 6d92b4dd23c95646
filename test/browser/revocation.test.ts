import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WhatsappNumber } from '../../src/accounts/entities/whatsapp-number.entity';
import type { Partner } from '../../src/partners/entities/partner.entity';
import { Revocation } from '../../src/revocation/entities/revocation.entity';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createNumber } from '../factories/accounts';
import { createTestApp, type TestApp } from '../support/app';
import { expectAccessible, launchBrowser, newPage, screenshot, signInAs } from '../support/browser';

describe('payment revocation in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let partner: Partner;
  let owner: MemberFixture;
  let number: WhatsappNumber;

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    partner = await createPartner(t.em(), { name: 'Umbrella Partners', terms: { noticeDays: 30, alignment: 'end_of_month' } });
    owner = await createMember(t.em(), partner, { role: 'owner' });
    number = await createNumber(t.em(), partner, {
      phoneNumber: '+4915123456789',
      client: { name: 'Acme Retail GmbH', contactEmail: 'ops@acme.example' },
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('lets an owner request revocation in the Danger Zone and then shows the termination date with a countdown', async () => {
    const page = await newPage(browser, t.url);
    await signInAs(page, t.url, owner.email, owner.password);
    await page.goto(`${t.url}/accounts/${number.id}`);

    const danger = page.getByRole('region', { name: 'Danger Zone' });
    await danger.getByRole('link', { name: 'Request revocation' }).click();
    await page.waitForURL(`**/accounts/${number.id}/revocation/new`);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Request payment revocation');
    const instructions = await page.locator('main').innerText();
    expect(instructions).toContain('31 December 2026');
    expect(instructions).toContain('15 January 2027');
    expect(instructions).toContain('ops@acme.example');
    await expectAccessible(page);
    await screenshot(page, 'revocation-request-form');

    // A wrong number first: the field says what is wrong and keeps the reason.
    await page.getByLabel(/To confirm, type the phone number/).fill('+49 151');
    await page.getByLabel(/Reason/).fill('Moving to direct billing');
    await page.getByRole('button', { name: 'Request revocation' }).click();
    await expect(page.locator('#confirmation-error').innerText()).resolves.toContain('Type the phone number shown above');
    await expect(page.getByLabel(/Reason/).inputValue()).resolves.toBe('Moving to direct billing');
    await expectAccessible(page);

    await page.getByLabel(/To confirm, type the phone number/).fill('+49 151 2345 6789');
    await page.getByRole('button', { name: 'Request revocation' }).click();
    await page.waitForURL(`**/accounts/${number.id}`);
    await expect(page.getByRole('status').first().innerText()).resolves.toContain('31 December 2026');
    const zone = await page.getByRole('region', { name: 'Danger Zone' }).innerText();
    expect(zone).toContain('Revocation requested');
    expect(zone).toContain('35 days left');
    await expect(page.getByRole('link', { name: 'Withdraw revocation' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshot(page, 'revocation-requested');

    // The countdown moves with the clock.
    t.clock.set('2026-12-30T12:00:00Z');
    await signInAs(page, t.url, owner.email, owner.password);
    await page.goto(`${t.url}/accounts/${number.id}`);
    await expect(page.getByRole('region', { name: 'Danger Zone' }).innerText()).resolves.toContain('1 day left');

    const stored = await t.em().findOneOrFail(WhatsappNumber, number.id);
    expect(stored.billingState).toBe('revocation_requested');
    const open = await t.em().findOneOrFail(Revocation, { number: number.id, withdrawnAt: null });
    expect(open.terminationDate).toBe('2026-12-31');
  });

  it('answers a request sent from a second tab with what happened, and leads back to the number and the list it was opened from', async () => {
    t.clock.set('2026-11-26T10:00:00Z');
    const other = await createNumber(t.em(), partner, { phoneNumber: '+4915199887766', client: { name: 'Acme Retail GmbH' } });
    const first = await newPage(browser, t.url);
    await signInAs(first, t.url, owner.email, owner.password);
    const second = await first.context().newPage();
    const list = '/accounts?q=Acme&sort=phone';
    for (const tab of [first, second]) {
      await tab.goto(`${t.url}${list}`);
      await tab.locator(`a[href^="/accounts/${other.id}?"]`).first().click();
      await tab.getByRole('region', { name: 'Danger Zone' }).getByRole('link', { name: 'Request revocation' }).click();
      await tab.getByLabel(/To confirm, type the phone number/).fill('+49 151 99887766');
    }
    await first.getByRole('button', { name: 'Request revocation' }).click();
    await first.waitForURL(`**/accounts/${other.id}?back=*`);
    await second.getByRole('button', { name: 'Request revocation' }).click();

    expect(await second.getByRole('heading', { level: 1 }).innerText()).toBe('Revocation already requested');
    const said = await second.locator('main').innerText();
    expect(said).toContain('already has a payment revocation requested on 26 Nov 2026, 10:00 UTC');
    expect(said).toContain('Nothing was changed');
    await expectAccessible(second);
    await screenshot(second, 'revocation-requested-twice');
    await second.getByRole('link', { name: 'Back to +49 1519 9887766' }).click();
    await second.waitForURL(`**/accounts/${other.id}?back=*`);
    await second.locator('.breadcrumb').getByRole('link', { name: 'WhatsApp Accounts' }).click();
    await second.waitForURL((url) => url.pathname + url.search === list);
    expect(await t.em().count(Revocation, { number: other.id })).toBe(1);
  });
});
