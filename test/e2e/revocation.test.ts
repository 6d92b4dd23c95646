import { SchedulerRegistry } from '@nestjs/schedule';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NumberStatusChange } from '../../src/accounts/entities/number-status-change.entity';
import { WhatsappNumber } from '../../src/accounts/entities/whatsapp-number.entity';
import { NumberSummaries, SUMMARY_SETTLE_MS } from '../../src/accounts/number-summaries.service';
import { AuditEvent } from '../../src/audit/entities/audit-event.entity';
import { runCli } from '../../src/cli/program';
import type { CurrentMember } from '../../src/common/http';
import { Lifecycle } from '../../src/common/lifecycle';
import { OutboxEmail } from '../../src/mail/entities/outbox-email.entity';
import { MailWorker } from '../../src/mail/mail-worker.service';
import { Partner } from '../../src/partners/entities/partner.entity';
import { Revocation } from '../../src/revocation/entities/revocation.entity';
import { RevocationJob } from '../../src/revocation/revocation.job';
import { RevocationFinalizer } from '../../src/revocation/revocation-finalizer.service';
import { RevocationNotices } from '../../src/revocation/revocation-notices.service';
import { RevocationRequests } from '../../src/revocation/revocation-requests.service';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createNumber as createAccountNumber } from '../factories/accounts';
import { createRevocation, createRevocations } from '../factories/revocations';
import { createTestApp, createTestAppWithSmtp, type TestApp } from '../support/app';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/database';
import { csrfFrom, csrfOf, postForm, signIn } from '../support/http';
import { type TestSmtp } from '../support/smtp';

const START = '2026-11-26T10:00:00Z';

/** A number with its client; the client's contact email and name can be chosen. */
function createNumber(
  em: ReturnType<TestApp['em']>,
  partner: Partner,
  o: { phoneNumber?: string; contactEmail?: string; clientName?: string } = {},
) {
  const client: Record<string, string> = {};
  if (o.contactEmail) client.contactEmail = o.contactEmail;
  if (o.clientName) client.name = o.clientName;
  return createAccountNumber(em, partner, { ...(o.phoneNumber && { phoneNumber: o.phoneNumber }), client });
}

function asMember(partner: Partner, m: MemberFixture, role: 'owner' | 'member' = 'owner'): CurrentMember {
  return {
    userId: m.user.id,
    userName: m.user.name,
    email: m.email,
    partnerId: partner.id,
    partnerName: partner.name,
    partnerSlug: partner.slug,
    timeZone: partner.terms.billingTimeZone,
    role,
    membershipId: m.membership.id,
  };
}

describe('payment revocation', () => {
  let db: TestDatabase;
  let t: TestApp;
  let smtp: TestSmtp;
  let partner: Partner;
  let owner: MemberFixture;
  let member: MemberFixture;
  let requests: RevocationRequests;
  let finalizer: RevocationFinalizer;
  const cliEnv = () => ({ NODE_ENV: 'test', LOG_LEVEL: 'silent', JOBS_ENABLED: 'false', ...db.env });

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ t, smtp } = await createTestAppWithSmtp({ database: db }));
    partner = await createPartner(t.em(), { name: 'Globex Partners', terms: { noticeDays: 30, alignment: 'end_of_month' } });
    owner = await createMember(t.em(), partner, { role: 'owner', name: 'Olivia Owner' });
    member = await createMember(t.em(), partner, { role: 'member' });
    requests = t.app.get(RevocationRequests);
    finalizer = t.app.get(RevocationFinalizer);
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
    vi.restoreAllMocks();
  });

  async function ownerAgent() {
    const agent = t.agent();
    await signIn(agent, owner.email, owner.password);
    return agent;
  }

  const sendMail = () => t.app.get(MailWorker).sendDue(t.clock.now());
  /** The number as stored, with its open (not withdrawn) revocation. */
  async function reload(id: string) {
    const em = t.em();
    const number = await em.findOneOrFail(WhatsappNumber, id);
    return Object.assign(number, { revocation: await em.findOne(Revocation, { number: id, withdrawnAt: null }) });
  }

  it('requests revocation with on-screen instructions, emails the client over SMTP, and the job ends billing once after the termination date', async () => {
    t.clock.set(START);
    const number = await createNumber(t.em(), partner, {
      phoneNumber: '+4915123456789',
      contactEmail: 'ops@acme.example',
      clientName: 'Acme Retail GmbH',
    });
    const agent = await ownerAgent();

    const details = await agent.get(`/accounts/${number.id}`);
    expect(details.status).toBe(200);
    expect(details.text).toContain(`href="/accounts/${number.id}/revocation/new"`);

    const page = await agent.get(`/accounts/${number.id}/revocation/new`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('31 December 2026'); // termination date
    expect(page.text).toContain('15 January 2027'); // leaves the hub
    expect(page.text).toContain('ops@acme.example'); // the client will be emailed
    expect(page.text).toMatch(new RegExp(`<p class="lead">[^<]*<a href="/clients/${number.client.id}">[^<]+</a></p>`));

    const res = await postForm(
      agent,
      `/accounts/${number.id}/revocation`,
      { confirmation: '+49 151 2345 6789', reason: 'The client pays directly from January.' },
      `/accounts/${number.id}/revocation/new`,
    );
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/accounts/${number.id}`);
    const after = await agent.get(`/accounts/${number.id}`);
    expect(after.text).toContain('you are billed until the end of 31 December 2026 (UTC), the termination date.');
    expect(after.text).toContain('Revocation requested');
    expect(after.text).toContain('35 days left');
    expect(after.text).toContain(`href="/accounts/${number.id}/revocation/withdraw"`);

    const requested = await reload(number.id);
    expect(requested.billingState).toBe('revocation_requested');
    const revocation = requested.revocation!;
    expect(revocation.terminationDate).toBe('2026-12-31');
    expect(revocation.billingEndsAt.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(revocation.removeAt.toISOString()).toBe('2027-01-15T00:00:00.000Z');
    expect(revocation.reason).toBe('The client pays directly from January.');
    expect(
      await t
        .em()
        .count(NumberStatusChange, { number: number.id, family: 'billing', toValue: 'revocation_requested', source: 'revocation' }),
    ).toBe(1);
    const audit = await t.em().find(AuditEvent, { action: 'revocation.requested', subjectId: number.id });
    expect(audit).toHaveLength(1);
    expect(audit[0].actorLabel).toContain('Olivia Owner');

    await sendMail();
    const mail = await smtp.waitFor('ops@acme.example');
    expect(mail.subject).toContain('Globex Partners');
    expect(mail.text).toContain('+49 1512 3456789');
    expect(mail.text).toContain('31 December 2026');
    expect(mail.text).toContain(t.config.revocationLinks.paymentMethodUrl);
    expect(mail.text).toContain(t.config.revocationLinks.terminateUrl);
    expect(mail.html).toContain('Add a payment method');

    // The last instant of the termination date: nothing happens yet.
    t.clock.set('2026-12-31T23:59:59Z');
    expect((await finalizer.runDue(t.clock.now())).billingEnded).toBe(0);
    expect((await reload(number.id)).billingState).toBe('revocation_requested');

    t.clock.set('2027-01-01T00:00:00Z');
    expect(await finalizer.runDue(t.clock.now())).toEqual({ billingEnded: 1, removed: 0 });
    expect(await finalizer.runDue(t.clock.now())).toEqual({ billingEnded: 0, removed: 0 });
    const ended = await reload(number.id);
    expect(ended.billingState).toBe('partner_billing_ended');
    expect(ended.revocation!.billingEndedAt?.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(await t.em().count(AuditEvent, { action: 'revocation.billing_ended', subjectId: number.id })).toBe(1);
    expect(await t.em().count(OutboxEmail, { template: 'revocation_billing_ended', toAddress: 'ops@acme.example' })).toBe(1);
    await sendMail();
    const endedMail = await smtp.waitFor('ops@acme.example', 2);
    expect(endedMail.text).toContain('no longer pays for your WhatsApp number +49 1512 3456789');

    // A month passed: the old session expired.
    await signIn(agent, owner.email, owner.password);
    const activity = await agent.get('/activity');
    expect(activity.status).toBe(200);
    expect(activity.text).toContain('revocation');
    expect((await agent.get(`/accounts/${number.id}`)).text).toContain('Billing ended');

    // After the grace period the number leaves the hub but stays in the database and the log.
    t.clock.set('2027-01-15T00:00:00Z');
    expect(await finalizer.runDue(t.clock.now())).toEqual({ billingEnded: 0, removed: 1 });
    expect((await reload(number.id)).billingState).toBe('removed');
    await signIn(agent, owner.email, owner.password);
    // Its page says it was removed (410 Gone); the list no longer shows it.
    expect((await agent.get(`/accounts/${number.id}`)).status).toBe(410);
    expect((await agent.get('/accounts')).text).not.toContain(`/accounts/${number.id}`);
    expect(await t.em().count(AuditEvent, { action: 'revocation.number_removed', subjectId: number.id })).toBe(1);
    expect(
      (await t.em().find(NumberStatusChange, { number: number.id, family: 'billing' }, { orderBy: { changedAt: 'asc' } })).map(
        (c) => c.toValue,
      ),
    ).toEqual(['revocation_requested', 'partner_billing_ended', 'removed']);
  });

  it('lets an owner withdraw the request after a confirmation page; the client is told and the job leaves it alone', async () => {
    t.clock.set(START);
    const number = await createNumber(t.em(), partner, { contactEmail: 'withdraw@client.example' });
    const agent = await ownerAgent();
    await postForm(
      agent,
      `/accounts/${number.id}/revocation`,
      { confirmation: number.phoneNumber },
      `/accounts/${number.id}/revocation/new`,
    );
    const revocationId = (await reload(number.id)).revocation!.id;

    t.clock.set('2026-12-31T22:00:00Z'); // still the termination date
    await signIn(agent, owner.email, owner.password);
    const confirm = await agent.get(`/accounts/${number.id}/revocation/withdraw`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('Last day today');
    expect(confirm.text).toMatch(new RegExp(`<p class="lead">[^<]*<a href="/clients/${number.client.id}">[^<]+</a></p>`));
    const res = await postForm(agent, `/accounts/${number.id}/revocation/withdraw`, {});
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/accounts/${number.id}`);
    const details = await agent.get(`/accounts/${number.id}`);
    expect(details.text).toContain('withdrawn');
    // The history tells the withdrawal from the request.
    const sources = [...details.text.matchAll(/<span class="muted">\(([^)]*)\)<\/span>/g)].map((m) => m[1]);
    expect(sources).toEqual(['when the payment revocation was withdrawn', 'by a payment revocation request']);

    const after = await reload(number.id);
    expect(after.billingState).toBe('partner_paid');
    expect(after.revocation).toBeNull();
    const revocation = await t.em().findOneOrFail(Revocation, revocationId);
    expect(revocation.withdrawnAt?.toISOString()).toBe('2026-12-31T22:00:00.000Z');
    expect(revocation.withdrawnBy?.id).toBe(owner.user.id);
    expect(await t.em().count(AuditEvent, { action: 'revocation.withdrawn', subjectId: number.id })).toBe(1);
    expect(await t.em().count(NumberStatusChange, { number: number.id, toValue: 'partner_paid' })).toBe(1);
    await sendMail();
    const mail = await smtp.waitFor('withdraw@client.example', 2);
    expect(mail.text).toContain('withdrawn');

    t.clock.set('2027-02-01T00:00:00Z');
    await finalizer.runDue(t.clock.now());
    expect((await reload(number.id)).billingState).toBe('partner_paid');
    expect((await t.em().findOneOrFail(Revocation, revocationId)).billingEndedAt).toBeNull();
  });

  it('refuses a withdrawal once the termination date has passed, with a clear message and nothing changed', async () => {
    t.clock.set(START);
    const number = await createNumber(t.em(), partner);
    const agent = await ownerAgent();
    await postForm(
      agent,
      `/accounts/${number.id}/revocation`,
      { confirmation: number.phoneNumber },
      `/accounts/${number.id}/revocation/new`,
    );

    t.clock.set('2027-01-01T00:00:01Z'); // the job has not run yet
    await signIn(agent, owner.email, owner.password);
    const token = await csrfOf(agent, '/accounts');
    const page = await agent.get(`/accounts/${number.id}/revocation/withdraw`);
    expect([page.status, page.headers.location]).toEqual([409, undefined]);
    const res = await agent.post(`/accounts/${number.id}/revocation/withdraw`).type('form').send({ _csrf: token });
    expect(res.status).toBe(409);
    expect(res.text).toContain(
      '<time datetime="2026-12-31">31 December 2026</time></strong> (UTC), has passed: the revocation can no longer be withdrawn.',
    );
    expect(res.text).toContain(`<a class="button secondary" href="/accounts/${number.id}">Back to `);
    const after = await reload(number.id);
    expect(after.billingState).toBe('revocation_requested');
    expect(after.revocation!.withdrawnAt).toBeNull();
    expect(await t.em().count(AuditEvent, { action: 'revocation.withdrawn', subjectId: number.id })).toBe(0);
  });

  it('makes one revocation of a double submit and answers the second with a clear message', async () => {
    t.clock.set(START);
    const number = await createNumber(t.em(), partner);
    const agent = await ownerAgent();
    const _csrf = await csrfOf(agent, `/accounts/${number.id}/revocation/new`);
    const send = () => agent.post(`/accounts/${number.id}/revocation`).type('form').send({ _csrf, confirmation: number.phoneNumber });
    const [a, b] = await Promise.all([send(), send()]);
    expect([a.status, b.status].sort()).toEqual([303, 409]);
    expect((a.status === 409 ? a : b).text).toContain('already requested');
    const third = await send();
    expect(third.status).toBe(409);
    expect(await t.em().count(Revocation, { number: number.id })).toBe(1);
    expect(await t.em().count(AuditEvent, { action: 'revocation.requested', subjectId: number.id })).toBe(1);
    expect(await t.em().count(NumberStatusChange, { number: number.id })).toBe(1);
    expect(
      await t.em().count(OutboxEmail, { template: 'revocation_requested', payload: { phoneNumber: number.phoneNumber } } as never),
    ).toBe(1);
  });

  describe('asked twice, as from two tabs', () => {
    const list = '/accounts?sort=phone&dir=desc';
    const back = `?back=${encodeURIComponent(list)}`;
    let berlin: Partner;
    let olga: MemberFixture;

    beforeAll(async () => {
      berlin = await createPartner(t.em(), { name: 'Berlin Partners', terms: { billingTimeZone: 'Europe/Berlin' } });
      olga = await createMember(t.em(), berlin, { role: 'owner', name: 'Olga Owner', email: 'olga@berlin.example' });
    });

    /** The page's link back to the number, which keeps the way back to the list. */
    const backLink = (html: string, id: string) =>
      expect(html.replace(/&#x3D;/g, '=')).toContain(`<a class="button secondary" href="/accounts/${id}${back}">Back to `);

    it('says when the revocation was already requested, by whom and until when, in the words and zone of the pages, and leads back to the number', async () => {
      t.clock.set(START);
      const number = await createAccountNumber(t.em(), berlin);
      const agent = t.agent();
      await signIn(agent, olga.email, olga.password);
      const form = await agent.get(`/accounts/${number.id}/revocation/new${back}`);
      const send = () =>
        agent
          .post(`/accounts/${number.id}/revocation${back}`)
          .type('form')
          .send({ _csrf: csrfFrom(form.text), confirmation: number.phoneNumber });
      expect((await send()).status).toBe(303);
      // The flash names the contract's zone, as the pages do.
      expect((await agent.get(`/accounts/${number.id}${back}`)).text).toContain(
        'you are billed until the end of 26 December 2026 (Europe/Berlin), the termination date.',
      );

      t.clock.set('2026-11-26T10:07:00Z');
      for (const res of [await send(), await agent.get(`/accounts/${number.id}/revocation/new${back}`)]) {
        expect(res.status).toBe(409);
        expect(res.text).toContain('<h1>Revocation already requested</h1>');
        expect(res.text).toContain(
          'This number already has a payment revocation requested on <time datetime="2026-11-26T10:00:00.000Z">26 Nov 2026, 11:00 CET</time> by Olga Owner (olga@berlin.example), perhaps in another tab or by another owner. Nothing was changed.',
        );
        expect(res.text).toContain('<time datetime="2026-12-26">26 December 2026</time></strong> (Europe/Berlin)');
        expect(res.text).not.toContain('2026-12-26)');
        backLink(res.text, number.id);
      }
      expect(await t.em().count(Revocation, { number: number.id })).toBe(1);
      expect(await t.em().count(NumberStatusChange, { number: number.id })).toBe(1);
    });

    it('says when the revocation was already withdrawn, and leads back to the number', async () => {
      t.clock.set(START);
      const number = await createAccountNumber(t.em(), berlin);
      const agent = t.agent();
      await signIn(agent, olga.email, olga.password);
      await postForm(
        agent,
        `/accounts/${number.id}/revocation`,
        { confirmation: number.phoneNumber },
        `/accounts/${number.id}/revocation/new`,
      );
      t.clock.set('2026-11-30T16:45:00Z');
      await signIn(agent, olga.email, olga.password);
      const confirm = await agent.get(`/accounts/${number.id}/revocation/withdraw${back}`);
      const send = () =>
        agent
          .post(`/accounts/${number.id}/revocation/withdraw${back}`)
          .type('form')
          .send({ _csrf: csrfFrom(confirm.text) });
      expect((await send()).status).toBe(303);

      for (const res of [await send(), await agent.get(`/accounts/${number.id}/revocation/withdraw${back}`)]) {
        expect(res.status).toBe(409);
        expect(res.text).toContain('<h1>Revocation already withdrawn</h1>');
        expect(res.text).toContain(
          'already withdrawn on <time datetime="2026-11-30T16:45:00.000Z">30 Nov 2026, 17:45 CET</time>, perhaps in another tab or by another owner. Nothing was changed: you keep paying for this number.',
        );
        backLink(res.text, number.id);
      }
      expect(await t.em().count(AuditEvent, { action: 'revocation.withdrawn', subjectId: number.id })).toBe(1);
      expect(await t.em().count(NumberStatusChange, { number: number.id })).toBe(2);
    });
  });

  it('shows the number as people write it, and takes it typed so, with spaces, dashes, dots or brackets', async () => {
    t.clock.set(START);
    const number = await createNumber(t.em(), partner, { phoneNumber: '+81312345678' });
    const agent = await ownerAgent();
    const page = await agent.get(`/accounts/${number.id}/revocation/new`);
    expect(page.text).toContain('<title>Request revocation of +81 3 1234 5678 ·');
    expect(page.text).toContain('To confirm, type the phone number <strong class="confirm-phone">+81 3 1234 5678</strong>');
    expect(page.text).not.toContain('+81312345678');
    const res = await postForm(
      agent,
      `/accounts/${number.id}/revocation`,
      { confirmation: ' +81 (3) 1234.5678 ' },
      `/accounts/${number.id}/revocation/new`,
    );
    expect(res.status).toBe(303);
    const details = await agent.get(res.headers.location);
    expect(details.text).toContain('Revocation requested for +81 3 1234 5678:');
    const withdraw = await agent.get(`/accounts/${number.id}/revocation/withdraw`);
    expect(withdraw.text).toContain('<title>Withdraw revocation of +81 3 1234 5678 ·');
    expect(withdraw.text).not.toContain('+81312345678');
  });

  it('re-renders the form with 422 and changes nothing when the confirmation is wrong or the reason too long or unsafe', async () => {
    t.clock.set(START);
    const number = await createNumber(t.em(), partner);
    const agent = await ownerAgent();
    const wrong = await postForm(
      agent,
      `/accounts/${number.id}/revocation`,
      { confirmation: '+49 000', reason: 'kept' },
      `/accounts/${number.id}/revocation/new`,
    );
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('Type the phone number shown above (spaces, dashes and the + do not matter).');
    expect(wrong.text).toContain('aria-invalid="true"');
    expect(wrong.text).toContain('>kept</textarea>');
    const long = await postForm(
      agent,
      `/accounts/${number.id}/revocation`,
      { confirmation: number.phoneNumber, reason: 'x'.repeat(501) },
      `/accounts/${number.id}/revocation/new`,
    );
    expect(long.status).toBe(422);
    expect(long.text).toContain('at most 500 characters');
    // A reason that would read otherwise in Activity than it is: a right-to-left override.
    const bidi = await postForm(
      agent,
      `/accounts/${number.id}/revocation`,
      { confirmation: number.phoneNumber, reason: 'Client \u202eskrow' },
      `/accounts/${number.id}/revocation/new`,
    );
    expect(bidi.status).toBe(422);
    expect(bidi.text).toContain('The reason contains control, text-direction or invisible characters: type it without them.');
    expect((await reload(number.id)).billingState).toBe('partner_paid');
    expect(await t.em().count(Revocation, { number: number.id })).toBe(0);
    expect(await t.em().count(AuditEvent, { subjectId: number.id })).toBe(0);
  });

  it('takes the confirmation in any of the number’s spellings: with or without the +, 00, spaces, dashes, dots or brackets', async () => {
    t.clock.set(START);
    const digits = (n: WhatsappNumber) => n.phoneNumber.slice(1);
    const spellings = [
      (n: WhatsappNumber) => digits(n),
      (n: WhatsappNumber) => `00${digits(n)}`,
      (n: WhatsappNumber) => `(+${digits(n).slice(0, 2)}) ${digits(n).slice(2)}`,
    ];
    const agent = await ownerAgent();
    for (const spell of spellings) {
      const number = await createNumber(t.em(), partner);
      const res = await postForm(
        agent,
        `/accounts/${number.id}/revocation`,
        { confirmation: spell(number), reason: '' },
        `/accounts/${number.id}/revocation/new`,
      );
      expect(res.status, spell(number)).toBe(303);
      expect(await t.em().count(Revocation, { number: number.id })).toBe(1);
    }
    // One digit more or less is another number.
    const number = await createNumber(t.em(), partner);
    for (const typed of [`${digits(number)}0`, digits(number).slice(0, -1), `+0${digits(number)}`]) {
      const res = await postForm(
        agent,
        `/accounts/${number.id}/revocation`,
        { confirmation: typed, reason: '' },
        `/accounts/${number.id}/revocation/new`,
      );
      expect(res.status, typed).toBe(422);
    }
    expect(await t.em().count(Revocation, { number: number.id })).toBe(0);
  });

  it('refuses members with 403 and changes nothing; the Danger Zone tells them why', async () => {
    t.clock.set(START);
    const number = await createNumber(t.em(), partner);
    const agent = t.agent();
    await signIn(agent, member.email, member.password);
    const details = await agent.get(`/accounts/${number.id}`);
    expect(details.text).toContain('Only an owner of your partner can request revocation');
    expect(details.text).not.toContain(`/accounts/${number.id}/revocation/new`);
    expect((await agent.get(`/accounts/${number.id}/revocation/new`)).status).toBe(403);
    const _csrf = await csrfOf(agent, '/accounts');
    const res = await agent.post(`/accounts/${number.id}/revocation`).type('form').send({ _csrf, confirmation: number.phoneNumber });
    expect(res.status).toBe(403);
    expect((await agent.post(`/accounts/${number.id}/revocation/withdraw`).type('form').send({ _csrf })).status).toBe(403);
    expect((await reload(number.id)).billingState).toBe('partner_paid');
    expect(await t.em().count(Revocation, { number: number.id })).toBe(0);
  });

  it("answers 404 for another partner's number and for unknown ids, changing nothing", async () => {
    const other = await createPartner(t.em(), { name: 'Other Partner' });
    const foreign = await createNumber(t.em(), other);
    const agent = await ownerAgent();
    expect((await agent.get(`/accounts/${foreign.id}/revocation/new`)).status).toBe(404);
    expect((await agent.get('/accounts/AAAAAAAAAAAAAAAAAAAAAA/revocation/new')).status).toBe(404);
    const _csrf = await csrfOf(agent, '/accounts');
    const post = await agent.post(`/accounts/${foreign.id}/revocation`).type('form').send({ _csrf, confirmation: foreign.phoneNumber });
    expect(post.status).toBe(404);
    expect((await agent.post(`/accounts/${foreign.id}/revocation/withdraw`).type('form').send({ _csrf })).status).toBe(404);
    expect((await reload(foreign.id)).billingState).toBe('partner_paid');
    expect(await t.em().count(Revocation, { number: foreign.id })).toBe(0);
  });

  it('says so when the client has no contact email, and queues no email', async () => {
    t.clock.set(START);
    const number = await createAccountNumber(t.em(), partner, { client: { contactEmail: null } });
    const agent = await ownerAgent();
    const page = await agent.get(`/accounts/${number.id}/revocation/new`);
    expect(page.text).toContain('no contact email');
    await postForm(
      agent,
      `/accounts/${number.id}/revocation`,
      { confirmation: number.phoneNumber },
      `/accounts/${number.id}/revocation/new`,
    );
    expect((await agent.get(`/accounts/${number.id}`)).text).toContain('The client has no contact email and could not be emailed.');
    expect((await reload(number.id)).billingState).toBe('revocation_requested');
    expect(await t.em().count(OutboxEmail, { partnerId: partner.id, payload: { phoneNumber: number.phoneNumber } } as never)).toBe(0);
  });

  it('catches up after missed runs: both transitions, in order, in one run', async () => {
    t.clock.set(START);
    const number = await createNumber(t.em(), partner);
    await requests.request(asMember(partner, owner), number.id, { confirmation: number.phoneNumber });
    t.clock.set('2027-03-01T08:00:00Z');
    const result = await finalizer.runDue(t.clock.now());
    expect(result.billingEnded).toBeGreaterThanOrEqual(1);
    expect(result.removed).toBeGreaterThanOrEqual(1);
    const after = await reload(number.id);
    expect(after.billingState).toBe('removed');
    const changes = await t.em().find(NumberStatusChange, { number: number.id }, { orderBy: { changedAt: 'asc' } });
    expect(changes.map((c) => c.toValue)).toEqual(['revocation_requested', 'partner_billing_ended', 'removed']);
    expect(await t.em().count(AuditEvent, { subjectId: number.id, action: { $like: 'revocation.%' } })).toBe(3);
  });

  it('lets requests that arrive while it runs in between its batches', async () => {
    t.clock.set(START);
    const other = await createPartner(t.em(), { name: 'Batch Partners' });
    await createRevocations(t.em(), other, 60, t.clock.now());
    t.clock.set('2030-01-01T00:00:00Z');
    let finished = false;
    const run = finalizer.runDue(t.clock.now(), { batchSize: 5 }).then((r) => {
      finished = true;
      return r;
    });
    // The job was started first; the page is answered before its last batch.
    expect((await t.agent().get('/healthz')).status).toBe(200);
    expect(finished).toBe(false);
    expect((await run).billingEnded).toBe(60);
  });

  it('stops between batches once the process is shutting down, and the next run does the rest', async () => {
    t.clock.set(START);
    const other = await createPartner(t.em(), { name: 'Stopping Partners' });
    await createRevocations(t.em(), other, 12, t.clock.now());
    const now = new Date('2030-01-01T00:00:00Z');
    const stopping = await createTestApp({ database: db, migrate: false });
    try {
      const notices = stopping.app.get(RevocationNotices);
      const queue = notices.billingEnded.bind(notices);
      // SIGTERM arrives while the first batch is being written: that batch still commits.
      vi.spyOn(notices, 'billingEnded').mockImplementationOnce(async (...args) => {
        stopping.app.get(Lifecycle).beginShutdown();
        return queue(...args);
      });
      expect(await stopping.app.get(RevocationFinalizer).runDue(now, { batchSize: 5 })).toEqual({ billingEnded: 5, removed: 0 });
    } finally {
      await stopping.close();
    }
    expect(await t.em().count(Revocation, { partner: other.id, billingEndedAt: { $ne: null } })).toBe(5);
    await finalizer.runDue(now, { batchSize: 5 });
    expect(await t.em().count(Revocation, { partner: other.id, billingEndedAt: { $ne: null }, removedAt: { $ne: null } })).toBe(12);
  });

  it("marks the partner's summary counts for a recount when it removes numbers", async () => {
    t.clock.set(START);
    const other = await createPartner(t.em(), { name: 'Summary Partners' });
    await createRevocations(t.em(), other, 3, t.clock.now());
    const summaries = t.app.get(NumberSummaries);
    expect((await summaries.read(other.id)).total).toBe(3);
    // The jobs process confirms the first count; then nothing of this partner is due.
    await summaries.refreshDue(t.clock.now());
    await finalizer.runDue(new Date('2030-01-01T00:00:00Z'));
    await summaries.refreshDue(new Date(t.clock.now().getTime() + SUMMARY_SETTLE_MS));
    expect((await summaries.read(other.id)).total).toBe(0);
  });

  it('rolls back a run that crashes half-way, and the next run completes it exactly once', async () => {
    t.clock.set(START);
    const number = await createNumber(t.em(), partner, { contactEmail: 'crash@client.example' });
    await requests.request(asMember(partner, owner), number.id, { confirmation: number.phoneNumber });
    t.clock.set('2027-01-02T00:00:00Z');
    // Dies after the claim, the number's update, the history and the audit rows, before the emails.
    const spy = vi.spyOn(t.app.get(RevocationNotices), 'billingEnded').mockRejectedValueOnce(new Error('the process died here'));
    await expect(finalizer.runDue(t.clock.now())).rejects.toThrow('the process died here');
    spy.mockRestore();
    const crashed = await reload(number.id);
    expect(crashed.billingState).toBe('revocation_requested');
    expect(crashed.revocation!.billingEndedAt).toBeNull();
    expect(await t.em().count(AuditEvent, { action: 'revocation.billing_ended', subjectId: number.id })).toBe(0);

    expect((await finalizer.runDue(t.clock.now())).billingEnded).toBe(1);
    expect((await reload(number.id)).billingState).toBe('partner_billing_ended');
    expect(await t.em().count(AuditEvent, { action: 'revocation.billing_ended', subjectId: number.id })).toBe(1);
    expect(await t.em().count(OutboxEmail, { template: 'revocation_billing_ended', toAddress: 'crash@client.example' })).toBe(1);
  });

  it('lets exactly one of a withdrawal and the job win when they race', async () => {
    t.clock.set(START);
    const number = await createNumber(t.em(), partner);
    await requests.request(asMember(partner, owner), number.id, { confirmation: number.phoneNumber });
    const revocation = (await reload(number.id)).revocation!;
    // The withdrawal still sees the termination date; the job already sees it passed.
    t.clock.set(new Date(revocation.billingEndsAt.getTime() - 1000));
    const [withdrawal, run] = await Promise.allSettled([
      requests.withdraw(asMember(partner, owner), number.id),
      finalizer.runDue(revocation.billingEndsAt),
    ]);
    const after = await t.em().findOneOrFail(Revocation, revocation.id);
    const withdrew = withdrawal.status === 'fulfilled';
    const ended = run.status === 'fulfilled' && run.value.billingEnded === 1;
    expect(withdrew !== ended).toBe(true);
    expect(!!after.withdrawnAt).toBe(withdrew);
    expect(!!after.billingEndedAt).toBe(ended);
    expect((await reload(number.id)).billingState).toBe(withdrew ? 'partner_paid' : 'partner_billing_ended');
  });

  it('holds one open revocation per number in the database; a withdrawn one makes room for the next', async () => {
    t.clock.set(START);
    const number = await createNumber(t.em(), partner);
    await requests.request(asMember(partner, owner), number.id, { confirmation: number.phoneNumber });
    await expect(createRevocation(t.em(), partner, number, '2027-01-31')).rejects.toThrow(/unique/i);
    await requests.withdraw(asMember(partner, owner), number.id);
    await requests.request(asMember(partner, owner), number.id, { confirmation: number.phoneNumber });
    expect(await t.em().count(Revocation, { number: number.id })).toBe(2);
    expect((await reload(number.id)).revocation!.withdrawnAt).toBeNull();
  });

  it('sets contract terms from the command line; revocations already requested keep theirs', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    t.clock.set(START);
    const p = await createPartner(t.em(), { name: 'Terms Partner' });
    const o = await createMember(t.em(), p);
    const first = await createNumber(t.em(), p);
    await requests.request(asMember(p, o), first.id, { confirmation: first.phoneNumber });

    expect(
      await runCli(
        [
          'partner:terms',
          p.slug,
          '--notice-days',
          '60',
          '--alignment',
          'end_of_month',
          '--grace-days',
          '7',
          '--time-zone',
          'europe/berlin',
        ],
        cliEnv(),
      ),
    ).toBe(0);
    const terms = (await t.em().findOneOrFail(Partner, p.id)).terms;
    expect({ ...terms }).toEqual({ noticeDays: 60, alignment: 'end_of_month', removalGraceDays: 7, billingTimeZone: 'Europe/Berlin' });
    expect(await t.em().count(AuditEvent, { action: 'partner.terms_changed', partnerId: p.id })).toBe(1);

    const kept = (await reload(first.id)).revocation!;
    expect([kept.terminationDate, kept.noticeDays, kept.billingTimeZone]).toEqual(['2026-12-26', 30, 'UTC']);
    const second = await createNumber(t.em(), p);
    await requests.request(asMember(p, o), second.id, { confirmation: second.phoneNumber });
    const fresh = (await reload(second.id)).revocation!;
    expect(fresh.terminationDate).toBe('2027-01-31');
    expect(fresh.billingEndsAt.toISOString()).toBe('2027-01-31T23:00:00.000Z');
    expect(fresh.removeAt.toISOString()).toBe('2027-02-07T23:00:00.000Z');
  });

  it.each([
    [['partner:terms', 'no-such-partner', '--notice-days', '10']],
    [['partner:terms', 'SLUG', '--notice-days', 'ten']],
    [['partner:terms', 'SLUG', '--notice-days', '-1']],
    [['partner:terms', 'SLUG', '--alignment', 'start_of_month']],
    [['partner:terms', 'SLUG', '--grace-days', '1.5']],
    [['partner:terms', 'SLUG', '--time-zone', 'Mars/Olympus']],
    [['partner:terms', 'SLUG']],
    [['jobs:run', 'everything']],
  ])('exits with code 2 and writes nothing for bad arguments: %j', async (argv) => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const before = { ...(await t.em().findOneOrFail(Partner, partner.id)).terms };
    expect(
      await runCli(
        argv.map((a) => (a === 'SLUG' ? partner.slug : a)),
        cliEnv(),
      ),
    ).toBe(2);
    expect({ ...(await t.em().findOneOrFail(Partner, partner.id)).terms }).toEqual(before);
  });

  it('sets the terms of a partner whose id starts with "-", as one in 64 does', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const p = await createPartner(t.em(), { name: 'Dashed Partner' });
    const dashed = `-${p.id.slice(1)}`;
    await t.em().nativeUpdate(Partner, { id: p.id }, { id: dashed });
    expect(await runCli(['partner:terms', dashed, '--notice-days', '45'], cliEnv())).toBe(0);
    expect((await t.em().findOneOrFail(Partner, dashed)).terms.noticeDays).toBe(45);
    // A misspelt option is still refused.
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await runCli(['partner:terms', dashed, '--notice-day', '30'], cliEnv())).toBe(2);
    expect((await t.em().findOneOrFail(Partner, dashed)).terms.noticeDays).toBe(45);
  });

  it('runs the job from the command line with jobs:run revocations', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    // The command uses the real clock: a revocation whose billing ended long ago is due.
    const p = await createPartner(t.em(), { terms: { noticeDays: 0 } });
    const o = await createMember(t.em(), p);
    const number = await createNumber(t.em(), p);
    t.clock.set('2020-01-01T10:00:00Z');
    await requests.request(asMember(p, o), number.id, { confirmation: number.phoneNumber });
    expect(await runCli(['jobs:run', 'revocations'], cliEnv())).toBe(0);
    expect((await reload(number.id)).billingState).toBe('removed');
    expect(console.log).toHaveBeenLastCalledWith(expect.stringMatching(/billing ended/));
  });
});

describe.skipIf(!onPostgres())('the revocation job on several instances (PostgreSQL)', () => {
  let db: TestDatabase;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    apps.push(await createTestApp({ database: db }));
    apps.push(await createTestApp({ database: db, migrate: false }));
    apps.push(await createTestApp({ database: db, migrate: false }));
  });
  afterAll(async () => {
    for (const app of apps) await app.app.close();
    await db.drop();
  });

  it('finalizes 200 due revocations once each when three app contexts run the job at the same moment', async () => {
    const em = apps[0].em();
    const partner = await createPartner(em, { terms: { noticeDays: 30, alignment: 'none', removalGraceDays: 14 } });
    const ids = await createRevocations(em, partner, 200, new Date(START));
    const now = new Date('2027-02-01T00:00:00Z'); // past both billing end and removal
    // Small batches so the instances interleave.
    const results = await Promise.all(apps.map((app) => app.app.get(RevocationFinalizer).runDue(now, { batchSize: 20 })));
    expect(results.reduce((sum, r) => sum + r.billingEnded, 0)).toBe(200);
    expect(results.reduce((sum, r) => sum + r.removed, 0)).toBe(200);
    expect(results.filter((r) => r.billingEnded > 0).length).toBeGreaterThan(1);

    const check = apps[1].em();
    expect(await check.count(Revocation, { id: { $in: ids }, billingEndedAt: { $ne: null }, removedAt: { $ne: null } })).toBe(200);
    expect(await check.count(WhatsappNumber, { partner: partner.id, billingState: 'removed' })).toBe(200);
    for (const action of ['revocation.billing_ended', 'revocation.number_removed']) {
      const events = await check.find(AuditEvent, { partnerId: partner.id, action });
      expect(events).toHaveLength(200);
      expect(new Set(events.map((e) => e.subjectId)).size).toBe(200);
    }
    const emails = await check.find(OutboxEmail, { partnerId: partner.id, template: 'revocation_billing_ended' });
    expect(emails).toHaveLength(200);
    expect(new Set(emails.map((e) => e.payload.phoneNumber)).size).toBe(200);
    for (const toValue of ['partner_billing_ended', 'removed']) {
      expect(await check.count(NumberStatusChange, { partner: partner.id, family: 'billing', toValue })).toBe(200);
    }
    // A second round at the same moment finds nothing left to do.
    const again = await Promise.all(apps.map((app) => app.app.get(RevocationFinalizer).runDue(now)));
    expect(again.every((r) => r.billingEnded === 0 && r.removed === 0)).toBe(true);
  });
});

describe('the revocation scheduler', () => {
  it('registers the job with the configured expression only when jobs are enabled, and a tick runs it by the clock', async () => {
    const off = await createTestApp();
    expect(off.app.get(SchedulerRegistry).doesExist('cron', 'revocations')).toBe(false);
    await off.close();

    const on = await createTestApp({ env: { JOBS_ENABLED: 'true', REVOCATION_CRON: '0 0 3 * * *' } });
    try {
      const job = on.app.get(SchedulerRegistry).getCronJob('revocations');
      expect(String(job.cronTime.source)).toBe('0 0 3 * * *');
      const partner = await createPartner(on.em(), { terms: { noticeDays: 0 } });
      const owner = await createMember(on.em(), partner);
      const number = await createNumber(on.em(), partner);
      await on.app.get(RevocationRequests).request(asMember(partner, owner), number.id, { confirmation: number.phoneNumber });
      on.clock.set('2026-11-27T00:00:00Z');
      await on.app.get(RevocationJob).tick();
      expect((await on.em().findOneOrFail(WhatsappNumber, number.id)).billingState).toBe('partner_billing_ended');
    } finally {
      await on.close();
    }
  });
});
