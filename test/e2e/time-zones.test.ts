import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../src/audit/entities/audit-event.entity';
import { User } from '../../src/auth/entities/user.entity';
import { MailWorker } from '../../src/mail/mail-worker.service';
import type { Partner } from '../../src/partners/entities/partner.entity';
import { createTestAppWithSmtp, type TestApp } from '../support/app';
import { postForm, signIn } from '../support/http';
import type { TestSmtp } from '../support/smtp';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createNumber } from '../factories/accounts';

// New York starts summer time on 8 March 2026 at 07:00 UTC, Berlin on 29 March at 01:00 UTC.
const NY_BEFORE = new Date('2026-03-08T06:30:00Z');
const NY_AFTER = new Date('2026-03-08T07:30:00Z');
const BERLIN_BEFORE = new Date('2026-03-29T00:30:00Z');
const BERLIN_AFTER = new Date('2026-03-29T01:30:00Z');

/** The text of a `<time>` element for an instant, as a page prints it. */
const shown = (at: Date, text: string) => `<time datetime="${at.toISOString()}">${text}</time>`;

describe("times in the reader's time zone", () => {
  let t: TestApp;
  let smtp: TestSmtp;
  let partner: Partner;
  let owner: MemberFixture;
  let member: MemberFixture;
  const numbers: Record<string, string> = {};
  const send = () => t.settled().then(() => t.app.get(MailWorker).sendDue(t.clock.now()));
  const agentOf = async (m: MemberFixture) => {
    const agent = t.agent();
    await signIn(agent, m.email, m.password);
    return agent;
  };
  const chooseZone = async (m: MemberFixture, timeZone: string) =>
    postForm(await agentOf(m), '/profile/time-zone', { timeZone }, '/profile');
  const zoneOf = async (m: MemberFixture) => (await t.em().findOneOrFail(User, m.user.id)).timeZone;

  beforeAll(async () => {
    ({ t, smtp } = await createTestAppWithSmtp({ env: { PASSWORD_RESET_TTL_MINUTES: '60', INVITATION_TTL_HOURS: '168' } }));
    partner = await createPartner(t.em(), { name: 'Spree Telecom', terms: { billingTimeZone: 'Europe/Berlin' } });
    owner = await createMember(t.em(), partner, { role: 'owner', name: 'Nora Owner', email: 'nora@spree.example' });
    member = await createMember(t.em(), partner, { role: 'member', name: 'Bernd Member', email: 'bernd@spree.example' });
    for (const [key, at] of Object.entries({ NY_BEFORE, NY_AFTER, BERLIN_BEFORE, BERLIN_AFTER })) {
      numbers[key] = (await createNumber(t.em(), partner, { providerCreatedAt: at })).id;
    }
    expect((await chooseZone(owner, 'America/New_York')).status).toBe(303);
  });
  afterAll(() => t.close());

  it('saves the zone a person picks in Profile, records it in Activity, and shows it there', async () => {
    expect(await zoneOf(owner)).toBe('America/New_York');
    const events = await t.em().find(AuditEvent, { action: 'auth.time_zone_changed', actorId: owner.user.id });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ partnerId: partner.id, subjectId: owner.user.id, data: { from: null, to: 'America/New_York' } });
    const page = await (await agentOf(owner)).get('/profile');
    expect(page.text).toContain('<option value="America/New_York" selected>New York (UTC-05:00)</option>');
    expect(page.text).toContain('shown in <strong>America/New_York</strong>:');
  });

  it("shows a member who chose a zone every time in it, with the offset before and after New York's change", async () => {
    const agent = await agentOf(owner);
    expect((await agent.get(`/accounts/${numbers.NY_BEFORE}`)).text).toContain(shown(NY_BEFORE, '8 Mar 2026, 01:30 EST'));
    expect((await agent.get(`/accounts/${numbers.NY_AFTER}`)).text).toContain(shown(NY_AFTER, '8 Mar 2026, 03:30 EDT'));
    expect((await agent.get(`/accounts/${numbers.BERLIN_AFTER}`)).text).toContain(shown(BERLIN_AFTER, '28 Mar 2026, 21:30 EDT'));
  });

  it("shows a member who chose nothing the partner's billing zone, before and after Berlin's change", async () => {
    expect(await zoneOf(member)).toBeNull();
    const agent = await agentOf(member);
    expect((await agent.get(`/accounts/${numbers.BERLIN_BEFORE}`)).text).toContain(shown(BERLIN_BEFORE, '29 Mar 2026, 01:30 CET'));
    expect((await agent.get(`/accounts/${numbers.BERLIN_AFTER}`)).text).toContain(shown(BERLIN_AFTER, '29 Mar 2026, 03:30 CEST'));
    expect((await agent.get(`/accounts/${numbers.NY_BEFORE}`)).text).toContain(shown(NY_BEFORE, '8 Mar 2026, 07:30 CET'));
    const profile = await agent.get('/profile');
    expect(profile.text).toContain(`<option value="" selected>Partner's billing time zone (Europe/Berlin)</option>`);
  });

  it("dates the list's Created column by the reader's calendar", async () => {
    // 23:30 UTC on 28 March is already the 29th in Berlin, still the 28th in New York.
    await createNumber(t.em(), partner, { providerCreatedAt: new Date('2026-03-28T23:30:00Z') });
    const created = 'datetime="2026-03-28T23:30:00.000Z">';
    expect((await (await agentOf(member)).get('/accounts')).text).toContain(`${created}2026-03-29</time>`);
    expect((await (await agentOf(owner)).get('/accounts')).text).toContain(`${created}2026-03-28</time>`);
  });

  it("names the contract's zone beside billing dates, whatever the reader's zone, and the request's time in the reader's", async () => {
    const number = await createNumber(t.em(), partner, { phoneNumber: '+4915122334455', client: { contactEmail: 'ops@client.example' } });
    const agent = await agentOf(owner);
    const res = await postForm(
      agent,
      `/accounts/${number.id}/revocation`,
      { confirmation: '+4915122334455', reason: '' },
      `/accounts/${number.id}/revocation/new`,
    );
    expect(res.status).toBe(303);
    const termination = /<\/time><\/strong>\s*\(Europe\/Berlin\)/;
    expect((await agent.get(`/accounts/${number.id}`)).text).toMatch(termination);
    expect((await (await agentOf(member)).get(`/accounts/${number.id}`)).text).toMatch(termination);
    // Requested at the test clock's 10:00 UTC on 26 November: 05:00 in New York.
    expect((await agent.get(`/accounts/${number.id}/revocation/withdraw`)).text).toContain('requested on 26 Nov 2026, 05:00 EST');
    await send();
    expect((await smtp.waitFor('ops@client.example')).text).toMatch(/termination date, \d+ \w+ \d{4} \(Europe\/Berlin time\)/);
  });

  it('writes the expiry of a reset link in the zone the person chose, across its summer time change', async () => {
    t.clock.set('2026-03-08T06:50:00Z'); // 01:50 EST; the link works for an hour, until 07:50 UTC
    expect((await postForm(t.agent(), '/password/forgot', { email: owner.email })).status).toBe(303);
    await send();
    expect((await smtp.waitFor(owner.email)).text).toContain('for 60 minutes (until 8 Mar 2026, 03:50 EDT)');
  });

  it("writes the expiry of a reset link in the partner's zone to a person who chose none", async () => {
    t.clock.set('2026-03-29T00:30:00Z');
    expect((await postForm(t.agent(), '/password/forgot', { email: member.email })).status).toBe(303);
    await send();
    const mail = await smtp.waitFor(member.email);
    expect(mail.text).toContain('(until 29 Mar 2026, 03:30 CEST)');
    expect(mail.html).toContain('(until 29 Mar 2026, 03:30 CEST)');
  });

  it("writes an invitation's expiry in the partner's zone for a new person", async () => {
    t.clock.set('2026-03-25T10:00:00Z'); // a week later is 1 April, 12:00 in Berlin (summer time)
    const res = await postForm(
      await agentOf(owner),
      '/users',
      { name: 'Ida Invitee', email: 'ida@spree.example', role: 'member' },
      '/users/new',
    );
    expect(res.status).toBe(303);
    await send();
    expect((await smtp.waitFor('ida@spree.example')).text).toContain('for 7 days (until 1 Apr 2026, 12:00 CEST)');
  });

  it('writes when the password changed in the zone the person chose', async () => {
    t.clock.set('2026-11-26T10:00:00Z');
    const res = await postForm(
      await agentOf(owner),
      '/profile/password',
      { current: owner.password, password: 'saffron glacier pencil 71 ember', confirm: 'saffron glacier pencil 71 ember' },
      '/profile',
    );
    expect(res.status).toBe(303);
    owner.password = 'saffron glacier pencil 71 ember';
    await send();
    expect(smtp.last(owner.email).text).toContain('was changed on 26 Nov 2026, 05:00 EST');
  });

  it('re-renders the profile with 422 and a field error for a zone not in the list, and keeps the setting', async () => {
    for (const timeZone of ['Mars/Olympus_Mons', 'america/new_york', 'Europe/Berlin\r\n', 'x'.repeat(65)]) {
      const res = await chooseZone(member, timeZone);
      expect(res.status, timeZone).toBe(422);
      expect(res.text).toContain('<p class="field-error" id="timeZone-error">Choose a time zone from the list.</p>');
      expect(res.text).toContain('aria-invalid="true"');
      expect(res.text).toContain('<optgroup label="Europe">');
    }
    expect(await zoneOf(member)).toBeNull();
    expect(await t.em().count(AuditEvent, { action: 'auth.time_zone_changed', actorId: member.user.id })).toBe(0);
  });

  it("goes back to the partner's zone when the person chooses it again", async () => {
    expect((await chooseZone(owner, '')).status).toBe(303);
    expect(await zoneOf(owner)).toBeNull();
    const agent = await agentOf(owner);
    expect((await agent.get(`/accounts/${numbers.NY_BEFORE}`)).text).toContain(shown(NY_BEFORE, '8 Mar 2026, 07:30 CET'));
    const events = await t
      .em()
      .find(AuditEvent, { action: 'auth.time_zone_changed', actorId: owner.user.id }, { orderBy: { createdAt: 'desc' } });
    expect(events[0].data).toEqual({ from: 'America/New_York', to: null });
  });
});
