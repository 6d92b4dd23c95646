import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKey } from '../../src/api/entities/api-key.entity';
import { ApiKeysService } from '../../src/api/api-keys.service';
import { KIND_GROUPS } from '../../src/audit/activity-kinds';
import { AuditService } from '../../src/audit/audit.service';
import { AuditEvent } from '../../src/audit/entities/audit-event.entity';
import { AuthService } from '../../src/auth/auth.service';
import { Membership } from '../../src/auth/entities/membership.entity';
import type { CurrentMember, RequestOrigin } from '../../src/common/http';
import { MailWorker } from '../../src/mail/mail-worker.service';
import { Partner } from '../../src/partners/entities/partner.entity';
import { PartnersService } from '../../src/partners/partners.service';
import { Revocation } from '../../src/revocation/entities/revocation.entity';
import { RevocationFinalizer } from '../../src/revocation/revocation-finalizer.service';
import { UsersService } from '../../src/users/users.service';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createNumber } from '../factories/accounts';
import { createTestAppWithSmtp, type TestApp } from '../support/app';
import { csrfFrom, postForm, signIn } from '../support/http';
import { linkPathIn, type TestSmtp } from '../support/smtp';

type Agent = ReturnType<TestApp['agent']>;

const OLIVE = { name: 'Olive Owner', email: 'olive@globex.example', password: 'marble lantern quiet 93 fjord' };
const MAX = { name: 'Max Member', email: 'max@globex.example', password: 'harbor velvet compass 62 thistle' };
const LOU = { name: 'Lou Locked', email: 'lou@globex.example', password: 'copper meadow signal 48 quartz' };
const MAX_CHANGED = 'amber willow rocket 17 glacier';
const MAX_RESET = 'orchid tundra beacon 85 walnut';
const ORIGIN: RequestOrigin = { ip: '203.0.113.7', requestId: 'test-request' };
const IP = String.raw`(?:::ffff:)?127\.0\.0\.1`;

/** Handlebars escapes these; the sentences are compared as a reader sees them. */
const decode = (html: string) =>
  html
    .replace(/<[^>]*>/g, '')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&#x3D;/g, '=')
    .replace(/&#x60;/g, '`')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();

/** The sentences of a list page, top to bottom, as HTML (links included). */
const sentenceHtml = (html: string) => [...html.matchAll(/<p class="activity-what">([\s\S]*?)<\/p>/g)].map((m) => m[1]);
const sentences = (html: string) => sentenceHtml(html).map(decode);
/** What a reader sees of the page's main part: text only, attributes and tags gone. */
const visibleText = (html: string) => decode(/<main[\s\S]*<\/main>/.exec(html)?.[0] ?? html);
const nextLink = (html: string) =>
  /href="(\/activity\?[^"]+)" rel="next"/
    .exec(html)?.[1]
    .replace(/&#x3D;/g, '=')
    .replace(/&amp;/g, '&');

describe('Activity in sentences', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  let partner: Partner;
  let viewer: Agent;
  let olive: CurrentMember;
  let numberA: { id: string };
  let numberB: { id: string };
  let terminationA: string;
  let terminationB: string;
  let elsewhereOwner: MemberFixture;
  const ids: string[] = [];

  const send = () => t.settled().then(() => t.app.get(MailWorker).sendDue(t.clock.now()));
  const tick = () => t.clock.advance(60_000);
  const membershipOf = (email: string) => t.em().findOneOrFail(Membership, { partner, user: { email } }, { populate: ['user'] });

  /** Opens the emailed invitation and creates the password, as the invited person does. */
  async function accept(email: string, password: string): Promise<void> {
    await send();
    const agent = t.agent();
    await agent.get(linkPathIn(smtp.last(email)));
    const form = await agent.get('/invitations');
    const done = await agent
      .post('/invitations')
      .type('form')
      // The name the inviter typed, as the page offers it.
      .send({ _csrf: csrfFrom(form.text), name: /name="name"[^>]* value="([^"]*)"/.exec(form.text)![1], password, confirm: password });
    expect(done.status).toBe(303);
  }

  async function signedIn(person: { email: string }, password: string): Promise<Agent> {
    const agent = t.agent();
    await signIn(agent, person.email, password);
    return agent;
  }

  beforeAll(async () => {
    ({ t, smtp } = await createTestAppWithSmtp());
    const users = t.app.get(UsersService);

    // 03:30 UTC on the 20th is the evening of the 19th in New York, the partner's zone.
    t.clock.set('2026-11-20T03:30:00Z');
    const created = await users.createPartnerWithOwner({
      name: 'Globex Partners',
      terms: { billingTimeZone: 'America/New_York', noticeDays: 30 },
      owner: { email: OLIVE.email, name: OLIVE.name },
    });
    partner = await t.em().findOneOrFail(Partner, created.id);

    t.clock.set('2026-11-20T15:00:00Z');
    await accept(OLIVE.email, OLIVE.password);
    tick();
    await t.app.get(PartnersService).setTerms(partner.id, { noticeDays: 60 });
    tick();
    const oliveAgent = await signedIn(OLIVE, OLIVE.password);
    olive = (await t.app.get(AuthService).loadMember((await membershipOf(OLIVE.email)).user.id))!.member;

    // The team: Max and Lou are invited through the form and join through the emailed link.
    for (const p of [MAX, LOU]) {
      tick();
      expect((await postForm(oliveAgent, '/users', { name: p.name, email: p.email, role: 'member' }, '/users/new')).status).toBe(303);
      tick();
      await accept(p.email, p.password);
    }
    tick();
    const maxAgent = await signedIn(MAX, MAX.password);
    tick();
    expect(
      (await postForm(maxAgent, '/profile/password', { current: MAX.password, password: MAX_CHANGED, confirm: MAX_CHANGED }, '/profile'))
        .status,
    ).toBe(303);
    tick();
    expect((await postForm(maxAgent, '/profile/time-zone', { timeZone: 'Europe/Berlin' }, '/profile')).status).toBe(303);

    // An invitation resent, then withdrawn.
    tick();
    await postForm(oliveAgent, '/users', { name: 'Dan Delay', email: 'dan@globex.example', role: 'member' }, '/users/new');
    const dan = await membershipOf('dan@globex.example');
    tick();
    await users.resendInvitation(olive, dan.id, ORIGIN);
    tick();
    await users.revokeInvitation(olive, dan.id, ORIGIN);

    const max = await membershipOf(MAX.email);
    tick();
    await users.changeRole(olive, max.id, 'owner', ORIGIN);

    // Max forgets the password and resets it with the emailed link.
    tick();
    await postForm(t.agent(), '/password/forgot', { email: MAX.email });
    await send();
    const resetter = t.agent();
    await resetter.get(linkPathIn(smtp.last(MAX.email)));
    const resetPage = await resetter.get('/password/reset');
    const reset = await resetter
      .post('/password/reset')
      .type('form')
      .send({ _csrf: csrfFrom(resetPage.text), password: MAX_RESET, confirm: MAX_RESET });
    expect(reset.status).toBe(303);

    // Wrong passwords for Lou until the account pauses; and guesses at an address on no team.
    tick();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await postForm(t.agent(), '/login', { email: LOU.email, password: 'not it at all' })).status);
    expect(statuses).toEqual([422, 422, 422, 422, 422, 429]);
    await postForm(t.agent(), '/login', { email: 'nobody@nowhere.example', password: 'guess' });
    await t.settled();

    // An API key: made, used once, revoked.
    tick();
    const keys = t.app.get(ApiKeysService);
    const { key } = await keys.create(olive, { name: 'Deploy bot', scope: 'read', expiresAt: null }, ORIGIN);
    tick();
    await keys.authenticate(`Bearer ${key}`, ORIGIN);
    tick();
    await keys.revoke(olive, (await t.em().findOneOrFail(ApiKey, { name: 'Deploy bot' })).id, ORIGIN);

    // Two numbers: a download of both, one revocation withdrawn, one carried through to removal.
    numberA = await createNumber(t.em(), partner, { phoneNumber: '+4915123456789', client: { name: 'Rev Client 008 SE' } });
    numberB = await createNumber(t.em(), partner, { phoneNumber: '+4915123456790', client: { name: 'Rev Client 009 SE' } });
    tick();
    expect((await oliveAgent.get('/accounts/export.csv?q=Rev%20Client')).status).toBe(200);
    await t.settled();
    for (const [n, phone] of [
      [numberA, '+4915123456789'],
      [numberB, '+4915123456790'],
    ] as const) {
      tick();
      const path = `/accounts/${n.id}/revocation`;
      expect((await postForm(oliveAgent, path, { confirmation: phone, reason: '' }, `${path}/new`)).status).toBe(303);
    }
    tick();
    expect(
      (await postForm(oliveAgent, `/accounts/${numberA.id}/revocation/withdraw`, {}, `/accounts/${numberA.id}/revocation/withdraw`)).status,
    ).toBe(303);
    tick();
    expect((await postForm(oliveAgent, '/logout', {}, '/accounts')).status).toBe(303);
    tick();
    await users.remove(olive, (await membershipOf(LOU.email)).id, ORIGIN);
    tick();
    await users.changeRole(olive, max.id, 'member', ORIGIN);

    terminationA = (await t.em().findOneOrFail(Revocation, { number: numberA.id })).terminationDate;
    const revocationB = await t.em().findOneOrFail(Revocation, { number: numberB.id });
    terminationB = revocationB.terminationDate;
    const finalizer = t.app.get(RevocationFinalizer);
    t.clock.set(revocationB.billingEndsAt);
    expect((await finalizer.runDue(t.clock.now())).billingEnded).toBe(1);
    t.clock.set(revocationB.removeAt);
    expect((await finalizer.runDue(t.clock.now())).removed).toBe(1);

    // Another partner, with a trail of its own.
    const elsewhere = await createPartner(t.em(), { name: 'Elsewhere Ltd' });
    elsewhereOwner = await createMember(t.em(), elsewhere, { role: 'owner', name: 'Eve Elsewhere' });
    await signedIn(elsewhereOwner, elsewhereOwner.password);

    tick();
    viewer = await signedIn(OLIVE, OLIVE.password);
    const em = t.em();
    for (const e of await em.find(AuditEvent, { partnerId: partner.id }))
      ids.push(e.id, e.actorId ?? '', e.subjectId ?? '', e.requestId ?? '');
    ids.push(partner.id, numberA.id, numberB.id, ...(await em.find(Revocation, { partner })).map((r) => r.id));
  }, 120_000);
  afterAll(() => t.close());

  const page = async (query = '') => {
    const res = await viewer.get(`/activity${query}`);
    expect(res.status, `/activity${query}`).toBe(200);
    return res.text;
  };

  /** Every kind the app records, as an owner reads it. */
  const expected = (): Record<string, RegExp> => {
    const dateA = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });
    const long = (d: string) => dateA.format(new Date(`${d}T00:00:00Z`));
    return {
      'partner.created': /^Your provider set up Globex Partners on Partner Hub$/,
      'partner.terms_changed': /^Your provider changed the contract terms: notice period from 30 to 60 days$/,
      'team.invited': /^Olive Owner invited Max Member as a member$/,
      'team.joined': /^Max Member joined the team as a member$/,
      'team.invitation_resent': /^Olive Owner sent Dan Delay a new invitation$/,
      'team.invitation_revoked': /^Olive Owner withdrew the invitation of Dan Delay$/,
      'team.role_changed': /^Olive Owner made Max Member an owner \(was a member\)$/,
      'team.removed': /^Olive Owner removed Lou Locked from the team$/,
      'auth.signed_in': new RegExp(`^Olive Owner signed in from ${IP}$`),
      'auth.signed_out': /^Olive Owner signed out$/,
      'auth.password_changed': /^Max Member changed their password$/,
      'auth.password_reset': /^Max Member reset their password with a link sent by email$/,
      'auth.time_zone_changed': /^Max Member now reads times in Europe\/Berlin \(was the partner’s billing time zone\)$/,
      'auth.sign_in_failed': new RegExp(`^Someone tried to sign in as Lou Locked with a wrong password from ${IP}$`),
      'auth.sign_in_locked': new RegExp(
        `^Signing in as Lou Locked from new browsers was paused for 15 minutes after repeated wrong passwords from ${IP}$`,
      ),
      'api_key.created': /^Olive Owner created the API key “Deploy bot” \(phk_[\w-]+…\) to read$/,
      'api_key.first_used': /^The API key “Deploy bot” was used for the first time from 203\.0\.113\.7$/,
      'api_key.revoked': /^Olive Owner revoked the API key “Deploy bot” \(phk_[\w-]+…\)$/,
      'accounts.exported': /^Olive Owner downloaded 2 numbers matching “Rev Client” as a CSV file$/,
      'revocation.requested': new RegExp(
        `^Olive Owner requested payment revocation for \\+49 1512 3456789 \\(Rev Client 008 SE\\), terminating ${long(terminationA)}$`,
      ),
      'revocation.withdrawn': new RegExp(
        `^Olive Owner withdrew the payment revocation for \\+49 1512 3456789 \\(Rev Client 008 SE\\), which was to terminate on ${long(terminationA)}$`,
      ),
      'revocation.billing_ended': new RegExp(`^Billing for \\+49 1512 3456790 \\(Rev Client 009 SE\\) ended after ${long(terminationB)}$`),
      'revocation.number_removed': /^\+49 1512 3456790 \(Rev Client 009 SE\) was removed from the hub after its payment revocation$/,
    };
  };

  it('has a sentence for every kind of event the app records, and a test of each here', async () => {
    const filterable = KIND_GROUPS.flatMap((g) => g.actions.map((a) => a.action)).sort();
    expect(Object.keys(expected()).sort()).toEqual(filterable);
    const recorded = (await t.em().find(AuditEvent, { partnerId: partner.id })).map((e) => e.action);
    expect([...new Set(recorded)].sort()).toEqual(filterable);
  });

  it.each(KIND_GROUPS.flatMap((g) => g.actions.map((a) => a.action)))('reads %s as a sentence', async (action) => {
    const said = sentences(await page(`?kind=${action}`));
    expect(said.length).toBeGreaterThan(0);
    expect(
      said.some((s) => expected()[action].test(s)),
      said.join('\n'),
    ).toBe(true);
    for (const s of said) expect(s).not.toMatch(/undefined|null|\[object/);
  });

  it('links the number to its page and the people to the team, in the sentence', async () => {
    const [withdrawn] = sentenceHtml(await page('?kind=revocation.withdrawn'));
    expect(withdrawn).toContain(`<a href="/users">Olive Owner</a>`);
    expect(withdrawn).toContain(`<a href="/accounts/${numberA.id}">+49 1512 3456789</a>`);
    const [removed] = sentenceHtml(await page('?kind=team.removed'));
    expect(removed).toContain(`<a href="/users">Lou Locked</a>`);
    const [failed] = sentenceHtml(await page('?kind=auth.sign_in_failed'));
    expect(failed).toContain(`<a href="/users">Lou Locked</a>`);
  });

  it('shows no internal id, no ISO instant and no raw data on the list, each time on one line', async () => {
    const html = await page();
    const text = visibleText(html);
    const shown = Math.min(50, await t.em().count(AuditEvent, { partnerId: partner.id }));
    expect(sentences(html)).toHaveLength(shown);
    for (const id of ids.filter((i) => i.length >= 8)) expect(text).not.toContain(id);
    expect(text).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
    expect(text).not.toMatch(/revocationId|phoneNumber|terminationDate|: \{|undefined/);
    const times = [...html.matchAll(/<time class="activity-when" datetime="[^"]+">([^<]*)<\/time>/g)].map((m) => m[1]);
    expect(times).toHaveLength(shown);
    for (const time of times) expect(time).toMatch(/^\S.*\S$/);
    expect(times.every((time) => !time.includes('\n'))).toBe(true);
  });

  it('keeps the ids for support on the event page', async () => {
    const event = await t.em().findOneOrFail(AuditEvent, { partnerId: partner.id, action: 'revocation.requested', subjectId: numberA.id });
    const html = await page('');
    const link = `href="/activity/${event.id}"`;
    expect(html + (await page(`?kind=revocation.requested`))).toContain(link);
    const res = await viewer.get(`/activity/${event.id}`);
    expect(res.status).toBe(200);
    const text = visibleText(res.text);
    expect(text).toContain('Olive Owner requested payment revocation for +49 1512 3456789');
    expect(text).toContain(event.id);
    expect(text).toContain(numberA.id);
    expect(text).toContain(String(event.data!.revocationId));
    expect(text).toContain(event.requestId!);
    expect((await viewer.get('/activity/AAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);
    expect((await viewer.get('/activity/not-an-id')).status).toBe(404);
  });

  it('filters by person: what they did and what was done about them', async () => {
    const max = await membershipOf(MAX.email);
    const html = await page(`?person=${max.user.id}`);
    expect(html).toMatch(new RegExp(`<option value="${max.user.id}" selected>Max Member \\(max@globex\\.example\\)</option>`));
    const said = sentences(html);
    expect(
      said.every((s) => s.includes('Max Member')),
      said.join('\n'),
    ).toBe(true);
    for (const kind of ['team.invited', 'team.joined', 'team.role_changed', 'auth.password_changed', 'auth.password_reset'])
      expect(
        said.some((s) => expected()[kind].test(s)),
        kind,
      ).toBe(true);

    const lou = sentences(await page(`?person=${(await t.em().findOneOrFail(AuditEvent, { action: 'auth.sign_in_failed' })).subjectId}`));
    expect(lou.filter((s) => s.startsWith('Someone tried to sign in as Lou Locked'))).toHaveLength(5);
    expect(lou.some((s) => expected()['auth.sign_in_locked'].test(s))).toBe(true);
    expect(lou.some((s) => expected()['team.removed'].test(s))).toBe(true);
    expect(lou.every((s) => s.includes('Lou Locked'))).toBe(true);
  });

  it('filters by a group of kinds named in plain words', async () => {
    const html = await page('?kind=failed-sign-ins');
    expect(html).toContain('<optgroup label="Failed sign-ins"><option value="failed-sign-ins" selected>All failed sign-ins</option>');
    const said = sentences(html);
    expect(said).toHaveLength(6);
    expect(said.every((s) => s.startsWith('Someone tried to sign in as') || s.startsWith('Signing in as'))).toBe(true);
    const team = sentences(await page('?kind=team'));
    expect(team.every((s) => / invited | joined | invitation | made | removed /.test(` ${s} `))).toBe(true);
    // Four invitations (Olive's by the provider), three joins, a resend, a withdrawal, two role changes, a removal.
    expect(team).toHaveLength(12);
  });

  it('filters by days in the reader’s time zone, alone and combined', async () => {
    // The partner's creation happened at 03:30 UTC on the 20th: the 19th in New York.
    // Both at the same instant: their order is the ids'.
    expect(sentences(await page('?from=2026-11-19&to=2026-11-19')).sort()).toEqual([
      'Your provider invited Olive Owner as an owner',
      'Your provider set up Globex Partners on Partner Hub',
    ]);
    const fromTwentieth = sentences(await page('?from=2026-11-20&kind=partner'));
    expect(fromTwentieth).toEqual(['Your provider changed the contract terms: notice period from 30 to 60 days']);
    expect(sentences(await page('?to=2026-11-19&kind=partner'))).toEqual(['Your provider set up Globex Partners on Partner Hub']);
    const max = await membershipOf(MAX.email);
    expect(sentences(await page(`?person=${max.user.id}&kind=settings&from=2026-11-20&to=2026-11-20`))).toEqual([
      'Max Member reset their password with a link sent by email',
      'Max Member now reads times in Europe/Berlin (was the partner’s billing time zone)',
      'Max Member changed their password',
    ]);
    // Olive's invitation is about the membership she joined with: hers.
    expect(sentences(await page(`?person=${olive.userId}&to=2026-11-19`))).toEqual(['Your provider invited Olive Owner as an owner']);
    const none = await page(`?person=${olive.userId}&kind=downloads&to=2026-11-19`);
    expect(sentences(none)).toEqual([]);
    expect(none).toContain('No activity matches these filters.');
    expect(none).toContain('href="/activity">Clear filters</a>');
  });

  it.each([
    ['an unknown kind', '?kind=auth.everything', 422],
    ['a repeated kind', '?kind=team&kind=downloads', 422],
    // A NUL byte too: a page reads its own query (common/sanitize.ts).
    ['a malformed person', '?person=%00bad', 422],
    ['a broken page link', '?after=garbage', 422],
    ['a day that does not exist', '?from=2026-02-31', 422],
    ['a date in another shape', '?to=31.12.2026', 422],
    ['a year before any event', '?from=0001-01-01', 422],
    ['a year past the calendar', '?to=9999-12-31', 422],
    ['an end before the start', '?from=2026-11-20&to=2026-11-19', 422],
  ])('answers %s with %i, never a 500', async (_case, query, status) => {
    const res = await viewer.get(`/activity${query}`);
    expect(res.status).toBe(status);
    if (status === 422) expect(res.text).toMatch(/<p class="field-error" id="(person|kind|after|from|to)-error">/);
  });

  it('shows failed sign-ins to the owners of that partner only: members are refused, other partners see nothing', async () => {
    const maxAgent = await signedIn(MAX, MAX_RESET);
    expect((await maxAgent.get('/activity')).status).toBe(403);
    expect((await maxAgent.get('/activity?kind=failed-sign-ins')).status).toBe(403);
    const other = await signedIn(elsewhereOwner, elsewhereOwner.password);
    const theirs = await other.get('/activity');
    expect(theirs.status).toBe(200);
    const text = visibleText(theirs.text);
    for (const name of ['Lou Locked', 'Max Member', 'Olive Owner', 'Globex', 'Rev Client', 'nobody@nowhere.example'])
      expect(text).not.toContain(name);
    const said = sentences(theirs.text);
    expect(said).toHaveLength(2);
    expect(said.every((s) => new RegExp(`^Eve Elsewhere signed in from ${IP}$`).test(s))).toBe(true);
    const ours = await t.em().findOneOrFail(AuditEvent, { partnerId: partner.id, action: 'auth.sign_in_failed' });
    expect((await other.get(`/activity/${ours.id}`)).status).toBe(404);
    // Guesses at an address on no team went to no partner's trail.
    const attempts = await t.em().find(AuditEvent, { action: { $like: 'auth.sign_in_%' } });
    expect(attempts).toHaveLength(6);
    expect(attempts.every((e) => e.partnerId === partner.id && e.data?.email === LOU.email)).toBe(true);
  });

  it('pages a filtered trail with its filters kept, with no overlap', async () => {
    const max = await membershipOf(MAX.email);
    const audit = t.app.get(AuditService);
    const em = t.em();
    for (let i = 0; i < 55; i++) {
      tick();
      audit.record(em, { action: 'auth.signed_in', partnerId: partner.id, actor: { id: max.user.id, name: MAX.name, email: MAX.email } });
    }
    await em.flush();
    // An hour passed: the session idled out.
    viewer = await signedIn(OLIVE, OLIVE.password);
    const query = `?person=${max.user.id}&kind=sign-ins&from=2026-11-20`;
    const first = await page(query);
    const next = nextLink(first)!;
    expect(next).toContain(`person=${max.user.id}`);
    expect(next).toContain('kind=sign-ins');
    expect(next).toContain('from=2026-11-20');
    const second = await page(next.slice('/activity'.length));
    const a = sentences(first);
    const b = sentences(second);
    expect(a).toHaveLength(50);
    // Max signed in twice for real (once before the reset, once in the test above), plus 55.
    expect(a.length + b.length).toBe(57);
    expect([...a, ...b].every((s) => /^Max Member signed in/.test(s))).toBe(true);
    const detailIds = (html: string) => [...html.matchAll(/href="\/activity\/([\w-]{22})"/g)].map((m) => m[1]);
    expect(detailIds(second).filter((id) => detailIds(first).includes(id))).toEqual([]);
    expect(nextLink(second)).toBeUndefined();
    const newest = /href="([^"]+)">Newest<\/a>/
      .exec(second)![1]
      .replace(/&#x3D;/g, '=')
      .replace(/&amp;/g, '&');
    expect(newest).toBe(`/activity?person=${max.user.id}&kind=sign-ins&from=2026-11-20`);
  });
});
