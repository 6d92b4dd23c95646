import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailWorker } from '../../src/mail/mail-worker.service';
import { Membership } from '../../src/auth/entities/membership.entity';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createTestAppWithSmtp, type TestApp } from '../support/app';
import { expectAccessible, launchBrowser, newPage, screenshot, signInAs } from '../support/browser';
import { linkIn, type TestSmtp } from '../support/smtp';

const PASSWORD = 'harbor velvet compass 62 thistle';

describe('onboarding a coworker in a real browser', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  let browser: Browser;
  let owner: MemberFixture;

  beforeAll(async () => {
    ({ t, smtp } = await createTestAppWithSmtp({ listen: true }));
    const partner = await createPartner(t.em(), { name: 'Wonka Industries' });
    owner = await createMember(t.em(), partner, { role: 'owner', name: 'Willy Owner' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('sends a form with mistakes back with the first field to fix focused and the tab titled Error', async () => {
    const page = await newPage(browser, t.url);
    await signInAs(page, t.url, owner.email, owner.password);
    await page.goto(`${t.url}/users/new`);
    // Sent back to the same address: what is waited for is the new page's load (app.js has run by then).
    const send = () => Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Send invitation' }).click()]);
    await page.getByLabel('Email').fill('not an address');
    await send();
    expect(await page.title()).toBe('Error: Add user · Partner Hub');
    expect(await page.evaluate('document.activeElement.id')).toBe('name');
    await page.getByLabel('Name').fill('Charlie Bucket');
    await send();
    expect(await page.getByLabel('Name').inputValue()).toBe('Charlie Bucket');
    expect(await page.evaluate('document.activeElement.id')).toBe('email');
    await page.context().close();
  });

  it('an owner adds a coworker, who opens the emailed link, creates a password, signs in and sees the team', async () => {
    const ownerPage = await newPage(browser, t.url);
    await signInAs(ownerPage, t.url, owner.email, owner.password);
    await ownerPage.goto(`${t.url}/users`);
    await expectAccessible(ownerPage);
    await ownerPage.getByRole('link', { name: '+ Add user' }).click();
    await expectAccessible(ownerPage);
    await ownerPage.getByLabel('Name').fill('Charlie Bucket');
    await ownerPage.getByLabel('Email').fill('charlie@wonka.example');
    await ownerPage.getByRole('radio', { name: /^Member/ }).check();
    await ownerPage.getByRole('button', { name: 'Send invitation' }).click();
    await ownerPage.waitForURL(`${t.url}/users`);
    expect(await ownerPage.getByRole('status').innerText()).toContain('Invitation sent to charlie@wonka.example.');
    expect(await ownerPage.getByRole('row', { name: /Charlie Bucket/ }).innerText()).toContain('Invited');

    await t.app.get(MailWorker).sendDue(t.clock.now());
    const link = linkIn(await smtp.waitFor('charlie@wonka.example'));
    expect(link.startsWith(t.url)).toBe(true);

    const coworker = await newPage(browser, t.url);
    await coworker.goto(link);
    // The token left the address bar at once.
    expect(new URL(coworker.url()).pathname).toBe('/invitations');
    expect(await coworker.getByRole('heading', { level: 1 }).innerText()).toBe('Create Password');
    expect(await coworker.locator('main').innerText()).toContain('Wonka Industries');
    expect(await coworker.locator('main').innerText()).toContain('charlie@wonka.example');
    await expectAccessible(coworker);
    await coworker.getByLabel('New password', { exact: true }).fill(PASSWORD);
    await coworker.getByLabel('New password again').fill(PASSWORD);
    await coworker.getByRole('button', { name: 'Create Password' }).click();
    await coworker.waitForURL(`${t.url}/login`);
    expect(await coworker.getByRole('status').innerText()).toContain('You have joined Wonka Industries');

    await signInAs(coworker, t.url, 'charlie@wonka.example', PASSWORD);
    await coworker.getByRole('link', { name: 'Users' }).click();
    expect(await coworker.getByRole('row', { name: /Willy Owner/ }).innerText()).toContain('Active');
    expect(await coworker.getByRole('row', { name: /Charlie Bucket/ }).innerText()).toContain('Active');
    expect(await coworker.getByRole('link', { name: '+ Add user' }).count()).toBe(0);
    await screenshot(coworker, 'team-coworker-sees-team');
    expect(await t.em().count(Membership, { user: { email: 'charlie@wonka.example' }, acceptedAt: { $ne: null } })).toBe(1);
  });
});
