import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WhatsappNumber } from '../../src/accounts/entities/whatsapp-number.entity';
import { AuditEvent } from '../../src/audit/entities/audit-event.entity';
import type { CurrentMember } from '../../src/common/http';
import { MailWorker } from '../../src/mail/mail-worker.service';
import { RevocationRequests } from '../../src/revocation/revocation-requests.service';
import { UsersService } from '../../src/users/users.service';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createNumber } from '../factories/accounts';
import { createTestAppWithSmtp, type TestApp } from '../support/app';
import {
  ARTIFACTS,
  chooseLayout,
  expectAccessible,
  launchBrowser,
  newPage,
  sidewaysScroll,
  signInAs,
  wordsBrokenInControls,
} from '../support/browser';
import { linkIn, type TestSmtp } from '../support/smtp';

/**
 * Every page of the hub, as an owner, as a member and signed out, at a phone's, a tablet's and
 * a wide screen's width: nothing scrolls sideways (the page, or a box inside it), no button,
 * badge or table header breaks a word in two, axe finds nothing serious, and a full-page
 * screenshot of each is kept under test/artifacts/page-walk/.
 * The data is as long as real data gets, with few places to break, so wrapping is exercised.
 */
const WIDTHS = [360, 768, 1440] as const;
const SHOTS = join(ARTIFACTS, 'page-walk');

const PARTNER = 'Globex Kommunikationsdienstleistungen International Holding Aktiengesellschaft & Co. KGaA';
const OWNER_NAME = 'Maximiliane Alexandra von und zu Hohenstaufen-Wittelsbach';
const OWNER_EMAIL = 'maximiliane.alexandra.vonundzu-hohenstaufen@kommunikationsdienstleistungen-international.example';
const MEMBER_NAME = 'Bartholomäus Wolkenkratzer-Dachgeschossbewohner';
const MEMBER_EMAIL = 'bartholomaeus.wolkenkratzer-dachgeschossbewohner@a-very-long-subsidiary-name.globex.example';
const INVITEE_EMAIL = 'konstantinopel.einwohnerin-vertretung@tochtergesellschaft-fuer-kundenkommunikation.example';
const CLIENT = 'Rev Client 008 SE Internationale Handelsgesellschaft für Kundenkommunikationsdienstleistungen mbH & Co. KG';
const CONTACT = 'accounts-payable.billing-department@internationale-handelsgesellschaft-kundenkommunikation.example';
const DISPLAY = 'Internationale Kundenbetreuung und Reklamationsabteilung Hotline';

type Who = 'owner' | 'member' | 'public';

describe('every page at 360, 768 and 1440 px', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  let browser: Browser;
  const pages = {} as Record<Who, Page>;
  let owner: MemberFixture;
  let member: MemberFixture;
  let revoked: WhatsappNumber;
  let healthy: WhatsappNumber;
  let removed: WhatsappNumber;
  let revocationEvent: string;

  beforeAll(async () => {
    ({ t, smtp } = await createTestAppWithSmtp({ listen: true }));
    const em = t.em();
    const partner = await createPartner(em, { name: PARTNER, terms: { billingTimeZone: 'Europe/Berlin' } });
    owner = await createMember(em, partner, { role: 'owner', name: OWNER_NAME, email: OWNER_EMAIL });
    member = await createMember(em, partner, { role: 'member', name: MEMBER_NAME, email: MEMBER_EMAIL });
    await createMember(em, partner, { role: 'member', name: 'Ivo Invited', accepted: false });
    // The owner works for a second partner too: every owner page has the partner switcher.
    const second = await createPartner(em, { name: 'Initech Northern Europe Messaging Services Oy' });
    await createMember(em, second, { role: 'member', user: owner.user });
    revoked = await createNumber(em, partner, {
      phoneNumber: '+4915123456789',
      displayName: DISPLAY,
      providerId: 'CH-7f3c9a2e-4b1d-4e8f-9c6a-2d5b8e1f0a3c',
      externalId: '109876543210987654',
      client: { name: CLIENT, contactEmail: CONTACT, providerId: 'CL-5e2d8c1b-9a4f-4d3e-8b7c-6f1a2e9d0c4b' },
      waba: { namespace: 'a1b2c3d4_e5f6_4a7b_8c9d_0e1f2a3b4c5d_namespace', externalId: '102938475610293847' },
    });
    healthy = await createNumber(em, partner, { phoneNumber: '+34675168435', client: revoked.client, waba: revoked.wabaAccount });
    // A few more, so the list, its summary and the client's numbers show several statuses.
    for (const status of ['error', 'submitted', 'suspended', 'created'] as const) {
      await createNumber(em, partner, { status, client: status === 'error' ? revoked.client : undefined });
    }
    removed = await createNumber(em, partner, { phoneNumber: '+4930123456', billingState: 'removed', client: revoked.client });

    // A revocation requested as the owner would through its page: number, audit event and email.
    const asOwner: CurrentMember = {
      userId: owner.user.id,
      userName: OWNER_NAME,
      email: OWNER_EMAIL,
      partnerId: partner.id,
      partnerName: PARTNER,
      partnerSlug: partner.slug,
      role: 'owner',
      membershipId: owner.membership.id,
      timeZone: 'Europe/Berlin',
    };
    await t.app.get(RevocationRequests).request(asOwner, revoked.id, {
      confirmation: revoked.phoneNumber,
      reason: 'Moving this client to direct billing with its own Meta payment method from next quarter onwards',
    });
    revocationEvent = (await t.em().findOneOrFail(AuditEvent, { action: 'revocation.requested' })).id;

    browser = await launchBrowser();
    pages.owner = await newPage(browser, t.url);
    pages.member = await newPage(browser, t.url);
    pages.public = await newPage(browser, t.url);
    await signInAs(pages.owner, t.url, owner.email, owner.password);
    await signInAs(pages.member, t.url, member.email, member.password);
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /**
   * At each width: what scrolls sideways, the words broken in controls and what axe finds
   * serious, as lines of a report (empty when the page is fine), and a full-page screenshot
   * named after the page and the width.
   */
  async function walk(page: Page, name: string): Promise<string[]> {
    const problems: string[] = [];
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      const scroll = await sidewaysScroll(page);
      if (scroll.page > 0) problems.push(`${width} px: the page scrolls ${scroll.page} px sideways`);
      for (const box of scroll.boxes) problems.push(`${width} px: ${box}`);
      for (const word of await wordsBrokenInControls(page)) problems.push(`${width} px: a word broken in two: ${word}`);
      await expectAccessible(page).catch((err: Error) => problems.push(`${width} px: ${err.message}`));
      await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
    }
    return problems;
  }

  /** Opens a path and checks the status it answered with. */
  async function open(who: Who, path: string, status = 200): Promise<Page> {
    const page = pages[who];
    const answer = await page.goto(`${t.url}${path}`);
    expect(answer?.status(), `${path} as ${who}`).toBe(status);
    return page;
  }

  describe.each(['owner', 'member'] as const)('signed in as %s', (who) => {
    it('the list of numbers, as a table and as cards', async () => {
      const page = await open(who, '/accounts');
      await chooseLayout(page, 'Table');
      expect(await walk(page, `${who}-accounts-table`)).toEqual([]);
      await chooseLayout(page, 'Cards');
      expect(await walk(page, `${who}-accounts-cards`)).toEqual([]);
    });

    it('a number with long names, a long contact email and an open revocation, and a healthy one', async () => {
      const page = await open(who, `/accounts/${revoked.id}`);
      expect(await page.locator('main').innerText()).toContain(CONTACT);
      expect(await walk(page, `${who}-number-revoked`)).toEqual([]);
      await open(who, `/accounts/${healthy.id}`);
      expect(await walk(page, `${who}-number-healthy`)).toEqual([]);
    });

    it('a client, the statuses, the team and the profile', async () => {
      expect(await walk(await open(who, `/clients/${revoked.client.id}`), `${who}-client`)).toEqual([]);
      expect(await walk(await open(who, '/account-statuses'), `${who}-statuses`)).toEqual([]);
      expect(await walk(await open(who, '/users'), `${who}-users`)).toEqual([]);
      expect(await walk(await open(who, '/profile'), `${who}-profile`)).toEqual([]);
    });

    it('the error pages: not found and a removed number', async () => {
      expect(await walk(await open(who, '/no-such-page', 404), `${who}-404`)).toEqual([]);
      expect(await walk(await open(who, `/accounts/${removed.id}`, 410), `${who}-410-removed`)).toEqual([]);
    });
  });

  describe('pages only an owner has', () => {
    it('add user, and its form re-rendered with errors (422)', async () => {
      const page = await open('owner', '/users/new');
      expect(await walk(page, 'owner-users-new')).toEqual([]);
      await page.getByLabel('Name').fill(`${OWNER_NAME} the Second`);
      await page.getByLabel('Email').fill(MEMBER_EMAIL);
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/users'),
        page.getByRole('button', { name: 'Send invitation' }).click(),
      ]);
      expect(answer.status()).toBe(422);
      await page.locator('#email-error').waitFor();
      expect(await walk(page, 'owner-users-new-422')).toEqual([]);
    });

    it('the confirmation pages for removing a coworker and changing a role', async () => {
      const id = member.membership.id;
      expect(await walk(await open('owner', `/users/${id}/remove`), 'owner-users-remove')).toEqual([]);
      expect(await walk(await open('owner', `/users/${id}/role?role=owner`), 'owner-users-role')).toEqual([]);
    });

    it('the activity and one event of it', async () => {
      expect(await walk(await open('owner', '/activity'), 'owner-activity')).toEqual([]);
      expect(await walk(await open('owner', `/activity/${revocationEvent}`), 'owner-activity-event')).toEqual([]);
    });

    it('requesting and withdrawing payment revocation', async () => {
      expect(await walk(await open('owner', `/accounts/${healthy.id}/revocation/new`), 'owner-revocation-new')).toEqual([]);
      expect(await walk(await open('owner', `/accounts/${revoked.id}/revocation/withdraw`), 'owner-revocation-withdraw')).toEqual([]);
    });

    it('the API keys, a new key, the key shown once and revoking it', async () => {
      const page = await open('owner', '/settings/api-keys/new');
      expect(await walk(page, 'owner-api-keys-new')).toEqual([]);
      await page.getByLabel('Name').fill('Nightly reconciliation with the enterprise resource planning system');
      await Promise.all([page.waitForURL(`${t.url}/settings/api-keys`), page.getByRole('button', { name: 'Create key' }).click()]);
      expect(await walk(page, 'owner-api-keys-created')).toEqual([]);
      const keys = await open('owner', '/settings/api-keys');
      expect(await walk(keys, 'owner-api-keys')).toEqual([]);
      await Promise.all([keys.waitForURL(/\/revoke$/), keys.getByRole('link', { name: /^Revoke Nightly/ }).click()]);
      expect(await walk(keys, 'owner-api-keys-revoke')).toEqual([]);
      await Promise.all([keys.waitForURL(`${t.url}/settings/api-keys`), keys.getByRole('button', { name: 'Revoke the key' }).click()]);
      expect(await keys.getByRole('status').innerText()).toContain('was revoked: it no longer works');
    });
  });

  describe('signed out', () => {
    it('sign in and forgot password', async () => {
      expect(await walk(await open('public', '/login'), 'public-login')).toEqual([]);
      expect(await walk(await open('public', '/password/forgot'), 'public-forgot')).toEqual([]);
    });

    it('choosing a new password with a real reset link, and the form re-rendered with errors (422)', async () => {
      const page = await open('public', '/password/forgot');
      await page.getByLabel('Email').fill(MEMBER_EMAIL);
      await Promise.all([page.getByRole('status').waitFor(), page.getByRole('button', { name: 'Send me a link' }).click()]);
      await t.settled();
      await t.app.get(MailWorker).sendDue(t.clock.now());
      await page.goto(linkIn(await smtp.waitFor(MEMBER_EMAIL)));
      expect(new URL(page.url()).pathname).toBe('/password/reset');
      expect(await page.locator('main').innerText()).toContain(MEMBER_EMAIL);
      expect(await walk(page, 'public-reset')).toEqual([]);
      await page.getByLabel('New password', { exact: true }).fill('short');
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/password/reset'),
        page.getByRole('button', { name: 'Save password' }).click(),
      ]);
      expect(answer.status()).toBe(422);
      expect(await walk(page, 'public-reset-422')).toEqual([]);
    });

    it('accepting an invitation with a real link, and a link that is not valid any more', async () => {
      await t.app
        .get(UsersService)
        .invite(revoked.partner.id, { name: 'Konstantinopel Einwohnerin', email: INVITEE_EMAIL, role: 'member' }, null);
      await t.app.get(MailWorker).sendDue(t.clock.now());
      const page = pages.public;
      await page.goto(linkIn(await smtp.waitFor(INVITEE_EMAIL)));
      expect(new URL(page.url()).pathname).toBe('/invitations');
      expect(await page.locator('main').innerText()).toContain(INVITEE_EMAIL);
      expect(await walk(page, 'public-invitation')).toEqual([]);
      // As long as a real token, and never sent.
      const answer = await page.goto(`${t.url}/invitations/${'x'.repeat(43)}`);
      expect(answer?.status()).toBe(410);
      expect(await walk(page, 'public-link-invalid')).toEqual([]);
    });

    it('not found', async () => {
      expect(await walk(await open('public', '/no-such-page', 404), 'public-404')).toEqual([]);
    });
  });
});
