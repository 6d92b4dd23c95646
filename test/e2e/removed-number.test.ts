import { PostgreSqlPlatform, type AbstractSqlDriver } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Migration20261204150000 as PostgresqlBackfill } from '../../migrations/postgresql/Migration20261204150000';
import { Migration20261204150000 as SqliteBackfill } from '../../migrations/sqlite/Migration20261204150000';
import type { WhatsappNumber } from '../../src/accounts/entities/whatsapp-number.entity';
import { User } from '../../src/auth/entities/user.entity';
import { Sql } from '../../src/database/sql';
import type { Partner } from '../../src/partners/entities/partner.entity';
import { RevocationFinalizer } from '../../src/revocation/revocation-finalizer.service';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createNumber, createStatusChange } from '../factories/accounts';
import { createTestApp, type TestApp } from '../support/app';
import { postForm, signIn } from '../support/http';

type Agent = ReturnType<TestApp['agent']>;

describe('a number removed from the hub', () => {
  let t: TestApp;
  let partner: Partner;
  let owner: MemberFixture;
  let member: MemberFixture;
  let removed: WhatsappNumber;
  let kept: WhatsappNumber;

  async function signedIn(m: MemberFixture): Promise<Agent> {
    const agent = t.agent();
    await signIn(agent, m.email, m.password);
    return agent;
  }

  /**
   * An owner revokes payment for a number through the real form (Berlin billing, 30 days to the
   * end of the month, 14 days' grace); the job ends billing and, after the grace period, removes
   * it.
   */
  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2026-11-26T10:00:00Z');
    partner = await createPartner(t.em(), {
      name: 'Globex Partners',
      terms: { noticeDays: 30, alignment: 'end_of_month', removalGraceDays: 14, billingTimeZone: 'Europe/Berlin' },
    });
    owner = await createMember(t.em(), partner, { role: 'owner', name: 'Olivia Owner', email: 'olivia@globex.example' });
    member = await createMember(t.em(), partner, { role: 'member' });
    removed = await createNumber(t.em(), partner, { phoneNumber: '+4915123456789', client: { name: 'Acme Retail GmbH' } });
    kept = await createNumber(t.em(), partner, { client: { name: 'Initech AG' } });

    const res = await postForm(
      await signedIn(owner),
      `/accounts/${removed.id}/revocation`,
      { confirmation: '+4915123456789', reason: 'The client pays directly from January.' },
      `/accounts/${removed.id}/revocation/new`,
    );
    expect(res.status).toBe(303);
    const finalizer = t.app.get(RevocationFinalizer);
    t.clock.set('2027-01-02T06:00:00Z');
    expect(await finalizer.runDue(t.clock.now())).toEqual({ billingEnded: 1, removed: 0 });
    // The grace period ended 2027-01-14T23:00Z; the job that removes it runs later.
    t.clock.set('2027-01-16T08:30:00Z');
    expect(await finalizer.runDue(t.clock.now())).toEqual({ billingEnded: 0, removed: 1 });
  });
  afterAll(() => t.close());

  it("answers its own partner's members with 410: when it was removed, and the revocation that removed it", async () => {
    const res = await (await signedIn(member)).get(`/accounts/${removed.id}`);
    expect(res.status).toBe(410);
    for (const text of [
      '<title>+49 1512 3456789 was removed',
      '<h1>+49 1512 3456789 was removed</h1>',
      `› <a href="/clients/${removed.client.id}">Acme Retail GmbH</a></p>`,
      // When the job removed it, not when its grace period ended.
      'removed from the hub on <time datetime="2027-01-16T08:30:00.000Z">16 Jan 2027, 09:30 CET</time>',
      'because payment for it was revoked',
      '<dt>Termination date</dt><dd>31 December 2026 (end of day, Europe/Berlin)</dd>',
      // At the end of the termination date in Berlin, though the job marked it later.
      '<dt>Billing to you ended</dt><dd><time datetime="2026-12-31T23:00:00.000Z">1 Jan 2027, 00:00 CET</time></dd>',
      '<dt>Requested by</dt><dd>Olivia Owner (olivia@globex.example)</dd>',
      '<dt>Requested on</dt><dd><time datetime="2026-11-26T10:00:00.000Z">26 Nov 2026, 11:00 CET</time></dd>',
      '<dt>Reason</dt><dd>The client pays directly from January.</dd>',
      'It no longer appears in your WhatsApp Accounts or in CSV exports',
      '<a href="/accounts">Back to WhatsApp Accounts</a>',
    ]) {
      expect(res.text, text).toContain(text);
    }
    expect(res.text).not.toContain('Page not found');
    expect(res.text).not.toContain('Danger Zone');
  });

  it('leads back to the list or client page it was opened from, and to the plain list for any other back', async () => {
    const agent = await signedIn(member);
    const decoded = (html: string) => html.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
    const list = '/accounts?q=%2B4915123456789&lifecycle=live';
    const fromList = decoded((await agent.get(`/accounts/${removed.id}`).query({ back: list })).text);
    expect(fromList).toContain(
      `<p class="breadcrumb"><a href="${list}">WhatsApp Accounts</a> › <a href="/clients/${removed.client.id}?back=${encodeURIComponent(list)}">Acme Retail GmbH</a></p>`,
    );
    expect(fromList).toContain(`<a href="${list}">Back to WhatsApp Accounts</a>`);
    const clientPage = `/clients/${removed.client.id}?sort=phone`;
    const fromClient = decoded((await agent.get(`/accounts/${removed.id}`).query({ back: clientPage })).text);
    expect(fromClient).toContain(
      `<p class="breadcrumb"><a href="/accounts">WhatsApp Accounts</a> › <a href="${clientPage}">Acme Retail GmbH</a></p>`,
    );
    for (const back of ['//evil.example', '/users', 'https://x/accounts', '/%2F%2Fevil.example', `/clients/${kept.client.id}`]) {
      const res = await agent.get(`/accounts/${removed.id}`).query({ back });
      expect(res.status, back).toBe(410);
      expect(res.text, back).toContain(
        `<p class="breadcrumb"><a href="/accounts">WhatsApp Accounts</a> › <a href="/clients/${removed.client.id}">Acme Retail GmbH</a></p>`,
      );
      expect(res.text, back).toContain('<a href="/accounts">Back to WhatsApp Accounts</a>');
    }
  });

  it("answers another partner's members with the 404 of an unknown id", async () => {
    const other = await createPartner(t.em(), { name: 'Other Partners' });
    const agent = await signedIn(await createMember(t.em(), other, { role: 'owner' }));
    const foreign = await agent.get(`/accounts/${removed.id}`);
    const unknown = await agent.get(`/accounts/${'A'.repeat(22)}`);
    expect(foreign.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(foreign.text).toBe(unknown.text);
    expect(foreign.text).not.toContain('was removed');
    expect(foreign.text).not.toContain('Acme Retail GmbH');
  });

  it('answers an unknown id with 404 and a number still in the hub with its details', async () => {
    const agent = await signedIn(member);
    const unknown = await agent.get(`/accounts/${'A'.repeat(22)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('Page not found');
    const details = await agent.get(`/accounts/${kept.id}`);
    expect(details.status).toBe(200);
    expect(details.text).toContain('Initech AG');
    expect(details.text).not.toContain('was removed');
  });

  it('leaves it out of the list and the CSV', async () => {
    const agent = await signedIn(member);
    const list = await agent.get('/accounts');
    expect(list.status).toBe(200);
    expect(list.text).toContain(`/accounts/${kept.id}`);
    expect(list.text).not.toContain(`/accounts/${removed.id}`);
    const csv = await agent.get('/accounts/export.csv').buffer(true);
    expect(csv.status).toBe(200);
    expect(csv.text).toContain(kept.phoneNumber);
    expect(csv.text).not.toContain(removed.phoneNumber);
  });

  it('tells a search that names it by its phone, in any format, or an id where it went; nothing for a partial phone or another partner', async () => {
    const agent = await signedIn(member);
    const said = (html: string) =>
      [
        ...html.matchAll(
          /<p class="removed-match"><strong>([^<]+)<\/strong> was removed from the hub on <time[^>]*>([^<]+)<\/time>\. <a href="([^"]+)">/g,
        ),
      ].map((m) => [m[1], m[2], m[3]]);
    for (const q of ['+49 1512 3456789', '0049 151 23456789', '01512 3456789', '4915123456789', removed.providerId!.toUpperCase()]) {
      const res = await agent.get('/accounts').query({ q });
      expect(res.status, q).toBe(200);
      expect(res.text, q).toContain('No number in the hub matches this search.');
      expect(res.text, q).not.toContain('Check the spelling');
      expect(said(res.text), q).toEqual([['+49 1512 3456789', '16 Jan 2027, 09:30 CET', `/accounts/${removed.id}`]]);
    }
    expect(said((await agent.get(`/clients/${removed.client.id}`).query({ q: '+4915123456789' })).text)).toHaveLength(1);
    expect(said((await agent.get(`/clients/${kept.client.id}`).query({ q: '+4915123456789' })).text)).toEqual([]);
    for (const q of ['3456789', '+49 1512', 'Acme']) expect(said((await agent.get('/accounts').query({ q })).text), q).toEqual([]);
    // Under a status filter a number with that phone may be here, filtered out: nothing is said of removals.
    const filtered = await agent.get('/accounts').query({ q: '+4915123456789', lifecycle: 'error' });
    expect(said(filtered.text)).toEqual([]);
    expect(filtered.text).toContain('No numbers match this search with these filters.');
    const other = await createPartner(t.em(), { name: 'Other Partners' });
    const foreign = await signedIn(await createMember(t.em(), other, { role: 'owner' }));
    expect(said((await foreign.get('/accounts').query({ q: '+4915123456789' })).text)).toEqual([]);
  });

  it('says what is known of a number removed without a revocation: the date its history records, or only that it was removed', async () => {
    const withHistory = await createNumber(t.em(), partner, { phoneNumber: '+4930901820', billingState: 'removed' });
    await createStatusChange(t.em(), withHistory, {
      family: 'billing',
      from: 'partner_billing_ended',
      to: 'removed',
      source: 'job',
      changedAt: new Date('2027-01-10T12:00:00Z'),
    });
    const bare = await createNumber(t.em(), partner, { billingState: 'removed' });
    const agent = await signedIn(member);

    const dated = await agent.get(`/accounts/${withHistory.id}`);
    expect(dated.status).toBe(410);
    expect(dated.text).toContain('<h1>+49 30 901820 was removed</h1>');
    expect(dated.text).toContain('removed from the hub on <time datetime="2027-01-10T12:00:00.000Z">10 Jan 2027, 13:00 CET</time>.');
    expect(dated.text).not.toContain('because');
    expect(dated.text).not.toContain('class="facts"');

    const undated = await agent.get(`/accounts/${bare.id}`);
    expect(undated.status).toBe(410);
    expect(undated.text).toContain('This number was removed from the hub.');
  });

  it('names the API key that asked for a removal, and a person deleted since as they were then, however long their name', async () => {
    const agent = await signedIn(owner);
    const made = await postForm(
      agent,
      '/settings/api-keys',
      { name: 'ERP sync', scope: 'read_write', expires: '' },
      '/settings/api-keys/new',
    );
    const key = /phk_live_(\w{17})_\w+/.exec(made.text)!;
    const byKey = await createNumber(t.em(), partner, { phoneNumber: '+4915122222222' });
    const byLeaver = await createNumber(t.em(), partner, { phoneNumber: '+4915133333333' });
    // The longest name and address the user columns take: the label holds both.
    const name = `Lena ${'Leaver'.repeat(33)}`.slice(0, 200);
    const email = `lena.${'l'.repeat(59)}@${'globex.'.repeat(26)}example`.slice(0, 254);
    expect([name.length, email.length]).toEqual([200, 254]);
    const leaver = await createMember(t.em(), partner, { role: 'owner', name, email });
    const asked = await t
      .http()
      .post(`/api/v1/numbers/${byKey.id}/revocation`)
      .set('Authorization', `Bearer ${key[0]}`)
      .set('Idempotency-Key', 'removal-by-key')
      .send({});
    expect(asked.status).toBe(201);
    const form = await postForm(
      await signedIn(leaver),
      `/accounts/${byLeaver.id}/revocation`,
      { confirmation: '+4915133333333' },
      `/accounts/${byLeaver.id}/revocation/new`,
    );
    expect(form.status).toBe(303);
    await t.em().nativeDelete(User, { id: leaver.user.id });
    const finalizer = t.app.get(RevocationFinalizer);
    t.clock.set('2027-03-01T06:00:00Z');
    expect(await finalizer.runDue(t.clock.now())).toEqual({ billingEnded: 2, removed: 0 });
    t.clock.set('2027-03-16T08:30:00Z');
    expect(await finalizer.runDue(t.clock.now())).toEqual({ billingEnded: 0, removed: 2 });

    // Months later: a new session.
    const later = await signedIn(owner);
    const keyPage = await later.get(`/accounts/${byKey.id}`);
    expect(keyPage.status).toBe(410);
    expect(keyPage.text).toContain(`<dt>Requested by</dt><dd>API key “ERP sync” (phk_live_${key[1]})</dd>`);
    const leaverPage = await later.get(`/accounts/${byLeaver.id}`);
    expect(leaverPage.status).toBe(410);
    expect(leaverPage.text).toContain(`<dt>Requested by</dt><dd>${name} (${email})</dd>`);

    // Revocations asked for before the label was kept: the migration takes it from Activity.
    await t.app.get(Sql).run('update revocation set requested_by_label = null where partner_id = ?', [partner.id]);
    expect((await later.get(`/accounts/${byKey.id}`)).text).toContain('<dt>Requested by</dt><dd>A user who has since been deleted</dd>');
    const em = t.em();
    const Backfill = em.getPlatform() instanceof PostgreSqlPlatform ? PostgresqlBackfill : SqliteBackfill;
    const migration = new Backfill(em.getDriver() as AbstractSqlDriver, em.config);
    await migration.up();
    for (const query of migration.getQueries()) await em.getConnection().execute(query as string);
    expect((await later.get(`/accounts/${byKey.id}`)).text).toContain(
      `<dt>Requested by</dt><dd>API key “ERP sync” (phk_live_${key[1]})</dd>`,
    );
    expect((await later.get(`/accounts/${byLeaver.id}`)).text).toContain(`<dt>Requested by</dt><dd>${name} (${email})</dd>`);
  });
});
