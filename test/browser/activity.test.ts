import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditService } from '../../src/audit/audit.service';
import { AuditEvent } from '../../src/audit/entities/audit-event.entity';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createNumber } from '../factories/accounts';
import { createTestApp, type TestApp } from '../support/app';
import { expectAccessible, launchBrowser, newPage, screenshot, signInAs } from '../support/browser';
import { postForm } from '../support/http';

const WIDTHS = [360, 768, 1440] as const;

/** How far the page reaches past the window sideways (0: no sideways scroll). */
const overflow = (page: Page) =>
  page.evaluate(() => {
    const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document;
    return d.documentElement.scrollWidth - (globalThis as unknown as { innerWidth: number }).innerWidth;
  });

/** The rendered lines of each event's time: its height over its line height. */
const timeLines = (page: Page) =>
  page.locator('.activity-list time').evaluateAll((els) =>
    els.map((el) => {
      const e = el as unknown as { getBoundingClientRect(): { height: number } };
      const style = (globalThis as unknown as { getComputedStyle(x: unknown): { lineHeight: string } }).getComputedStyle(el);
      return Math.round(e.getBoundingClientRect().height / parseFloat(style.lineHeight));
    }),
  );

describe('the Activity page in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let owner: MemberFixture;
  let eventId: string;

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    t.clock.set('2026-11-30T14:04:00Z');
    const partner = await createPartner(t.em(), { name: 'Globex Partners', terms: { billingTimeZone: 'Europe/Berlin' } });
    owner = await createMember(t.em(), partner, { role: 'owner', name: 'Olive Owner' });
    const long = await createMember(t.em(), partner, {
      role: 'member',
      name: 'Maximiliane Wolkenkratzer-Dachgeschossbewohnerin',
      email: 'maximiliane.wolkenkratzer-dachgeschossbewohnerin@a-very-long-subsidiary-name.globex.example',
    });
    const number = await createNumber(t.em(), partner, {
      phoneNumber: '+4915123456789',
      client: { name: 'Rev Client 008 SE Internationale Handelsgesellschaft mbH & Co. KG' },
    });
    // A wrong password for the long-named member: owners see it.
    await postForm(t.agent(), '/login', { email: long.email, password: 'not the password' });
    await t.settled();
    // What the app records on a request and a role change, as their services write it.
    const audit = t.app.get(AuditService);
    const em = t.em();
    const actor = { id: owner.user.id, name: 'Olive Owner', email: owner.email };
    t.clock.advance(60_000);
    audit.record(em, {
      action: 'revocation.requested',
      partnerId: partner.id,
      actor,
      subjectType: 'number',
      subjectId: number.id,
      data: {
        revocationId: 'xaDa1U3JkZbq0s5P1mN3cQ',
        phoneNumber: number.phoneNumber,
        clientName: 'Rev Client 008 SE Internationale Handelsgesellschaft mbH & Co. KG',
        terminationDate: '2026-12-31',
      },
      origin: { ip: '2001:db8:85a3:8d3:1319:8a2e:370:7348', requestId: 'r-1' },
    });
    audit.record(em, {
      action: 'team.role_changed',
      partnerId: partner.id,
      actor,
      subjectType: 'membership',
      subjectId: long.membership.id,
      data: { email: long.email, name: long.user.name, from: 'member', to: 'owner' },
    });
    // The long name and address become an option of the Person filter: it must fit too.
    audit.record(em, {
      action: 'auth.password_changed',
      partnerId: partner.id,
      actor: { id: long.user.id, name: long.user.name, email: long.email },
      subjectType: 'user',
      subjectId: long.user.id,
    });
    await em.flush();
    eventId = (await t.em().findOneOrFail(AuditEvent, { action: 'revocation.requested' })).id;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it.each(WIDTHS)('fits %i px: no sideways scroll, each time on one line, sentences with links, accessible', async (width) => {
    const page = await newPage(browser, t.url, { width, height: 900 });
    await signInAs(page, t.url, owner.email, owner.password);
    await page.goto(`${t.url}/activity`);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Activity');
    const list = page.getByRole('list', { name: 'Activity, newest first' });
    // Four recorded above, and a sign-in per width so far.
    expect(await list.getByRole('listitem').count()).toBe(4 + WIDTHS.indexOf(width) + 1);
    const request = list.getByRole('listitem').filter({ hasText: 'requested payment revocation' });
    expect(await request.locator('.activity-what').innerText()).toBe(
      'Olive Owner requested payment revocation for +49 1512 3456789 (Rev Client 008 SE Internationale Handelsgesellschaft mbH & Co. KG), terminating 31 December 2026',
    );
    expect(await request.getByRole('link', { name: '+49 1512 3456789' }).getAttribute('href')).toMatch(/^\/accounts\/[\w-]{22}$/);
    expect(await request.getByRole('link', { name: 'Olive Owner' }).getAttribute('href')).toBe('/users');
    expect(await list.innerText()).toContain('Someone tried to sign in as Maximiliane Wolkenkratzer-Dachgeschossbewohnerin');
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    const lines = await timeLines(page);
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(
      lines.every((n) => n === 1),
      `lines per time: ${lines.join(', ')}`,
    ).toBe(true);
    await expectAccessible(page);
    await screenshot(page, `activity-${width}`);

    await request.getByRole('link', { name: /^Details/ }).click();
    await page.waitForURL(`${t.url}/activity/${eventId}`);
    expect(await page.locator('main').innerText()).toContain('xaDa1U3JkZbq0s5P1mN3cQ');
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await expectAccessible(page);
    await screenshot(page, `activity-event-${width}`);
    await page.context().close();
  });

  it.each(WIDTHS)('at %i px, an event opened from a filtered list leads back to that list, filtered as it was', async (width) => {
    const page = await newPage(browser, t.url, { width, height: 900 });
    await signInAs(page, t.url, owner.email, owner.password);
    await page.goto(`${t.url}/activity`);
    await page.getByLabel('Person').selectOption({ label: `Olive Owner (${owner.email})` });
    await page.getByLabel('Kind').selectOption({ label: 'All team changes' });
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL((url) => url.searchParams.get('kind') === 'team');
    const list = page.getByRole('list', { name: 'Activity, newest first' });
    expect(await list.getByRole('listitem').count()).toBe(1);
    await list.getByRole('link', { name: /^Details/ }).click();
    await page.waitForURL((url) => url.pathname !== '/activity');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Activity event');
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await expectAccessible(page);
    await screenshot(page, `activity-event-filtered-${width}`);

    await page.getByRole('link', { name: 'Back to Activity' }).click();
    await page.waitForURL((url) => url.pathname === '/activity');
    // The filters chosen, the empty dates the form sent left out.
    expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({ person: owner.user.id, kind: 'team' });
    expect(await page.getByLabel('Person').inputValue()).toBe(owner.user.id);
    expect(await page.getByLabel('Kind').inputValue()).toBe('team');
    expect(await list.getByRole('listitem').count()).toBe(1);
    await page.context().close();
  });

  it.each(WIDTHS)('at %i px, a range that ends before it starts comes back as the date’s error, the boxes still in line', async (width) => {
    const page = await newPage(browser, t.url, { width, height: 900 });
    await signInAs(page, t.url, owner.email, owner.password);
    const answer = await page.goto(`${t.url}/activity?kind=team&from=2026-12-01&to=2026-11-01`);
    expect(answer?.status()).toBe(422);
    const to = page.getByLabel('To');
    expect(await to.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#to-error').innerText()).toBe('The end date is before the start date.');
    expect(await page.locator('main').innerText()).not.toContain('No activity matches');
    // The boxes sharing a line start at the same height, whatever message one has below it.
    const tops = await page
      .locator('.activity-filters select, .activity-filters input, .activity-filters button')
      .evaluateAll((els) =>
        els.map((el) => Math.round((el as unknown as { getBoundingClientRect(): { top: number } }).getBoundingClientRect().top)),
      );
    if (width === 1440) expect(new Set(tops).size, `tops: ${tops.join(', ')}`).toBe(1);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await expectAccessible(page);
    await screenshot(page, `activity-dates-invalid-${width}`);
    await page.context().close();
  });
});
