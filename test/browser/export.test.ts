import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Partner } from '../../src/partners/entities/partner.entity';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createNumber } from '../factories/accounts';
import { createTestApp, type TestApp } from '../support/app';
import { launchBrowser, newPage, signInAs } from '../support/browser';

/** Clicks a link that downloads, and returns the file's name and its parsed rows. */
async function downloadBy(page: Page, linkName: string) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: linkName, exact: true }).click()]);
  const path = await download.path();
  const bytes = readFileSync(path);
  const rows = parse(bytes, { bom: true, columns: true, relax_quotes: false, record_delimiter: '\r\n' }) as Record<string, string>[];
  return { filename: download.suggestedFilename(), bytes, rows };
}

describe('Download CSV in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let partner: Partner;
  let member: MemberFixture;

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    partner = await createPartner(t.em(), { name: 'Initech Partners' });
    member = await createMember(t.em(), partner, { role: 'member' });
    for (let i = 0; i < 5; i++) {
      await createNumber(t.em(), partner, {
        client: { name: i === 0 ? '=HYPERLINK("http://evil.example","x") Ltd' : `Client ${i} GmbH` },
        status: i < 2 ? 'error' : 'running',
        providerCreatedAt: new Date(Date.UTC(2026, 9, 1, i)),
      });
    }
    const other = await createPartner(t.em());
    await createNumber(t.em(), other, { client: { name: 'Not Yours Ltd' } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('downloads every number from the top right of WhatsApp Accounts, and the filtered list with a filter on', async () => {
    const page = await newPage(browser, t.url);
    await signInAs(page, t.url, member.email, member.password);
    await page.goto(`${t.url}/accounts`);

    const link = page.getByRole('link', { name: 'Download CSV', exact: true });
    const box = (await link.boundingBox())!;
    const width = page.viewportSize()!.width;
    expect(box.x + box.width).toBeGreaterThan(width * 0.6);
    expect(box.y).toBeLessThan(300);

    const all = await downloadBy(page, 'Download CSV');
    expect(all.filename).toBe(`whatsapp-accounts-${partner.slug}-2026-11-26.csv`);
    expect([...all.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(all.rows).toHaveLength(5);
    expect(all.rows.map((r) => r['Company legal name'])).toContain(`'=HYPERLINK("http://evil.example","x") Ltd`);
    expect(all.rows.some((r) => r['Company legal name'] === 'Not Yours Ltd')).toBe(false);

    await page.goto(`${t.url}/accounts?lifecycle=error`);
    const filtered = await downloadBy(page, 'Download CSV');
    expect(filtered.rows).toHaveLength(2);
    expect(filtered.rows.every((r) => r['Lifecycle status'] === 'error')).toBe(true);
    const everything = await downloadBy(page, 'CSV of all accounts');
    expect(everything.rows).toHaveLength(5);
    await page.context().close();
  });
});
