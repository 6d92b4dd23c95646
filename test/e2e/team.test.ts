import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../src/audit/entities/audit-event.entity';
import { SessionRecord } from '../../src/auth/entities/session.entity';
import { MailWorker } from '../../src/mail/mail-worker.service';
import { OutboxEmail } from '../../src/mail/entities/outbox-email.entity';
import type { Partner } from '../../src/partners/entities/partner.entity';
import { Membership } from '../../src/auth/entities/membership.entity';
import { User } from '../../src/auth/entities/user.entity';
import { createTestAppWithSmtp, type TestApp } from '../support/app';
import { onPostgres } from '../support/database';
import { csrfFrom, csrfOf, postForm, signIn } from '../support/http';
import { linkIn, linkPathIn, type TestSmtp } from '../support/smtp';
import { createMember, createPartner, type MemberFixture } from '../factories';

const STRONG = 'marble lantern quiet 93 fjord';
type Agent = ReturnType<TestApp['agent']>;

describe('the Users page', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  let partner: Partner;
  let owner: MemberFixture;
  let member: MemberFixture;
  let ownerAgent: ReturnType<TestApp['agent']>;
  const send = () => t.settled().then(() => t.app.get(MailWorker).sendDue(t.clock.now()));
  const counts = async () => ({
    users: await t.em().count(User, {}),
    memberships: await t.em().count(Membership, {}),
    outbox: await t.em().count(OutboxEmail, {}),
    audit: await t.em().count(AuditEvent, { action: { $like: 'team.%' } }),
  });

  beforeAll(async () => {
    ({ t, smtp } = await createTestAppWithSmtp());
    partner = await createPartner(t.em(), { name: 'Globex Partners' });
    owner = await createMember(t.em(), partner, { role: 'owner', name: 'Olivia Owner' });
    member = await createMember(t.em(), partner, { role: 'member', name: 'Max Member' });
    ownerAgent = t.agent();
    await signIn(ownerAgent, owner.email, owner.password);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await send();
  });

  /** Adds someone through the + Add user form, as an owner. */
  const add = (fields: Record<string, string>) => postForm(ownerAgent, '/users', fields, '/users/new');
  const membershipOf = (email: string) => t.em().findOne(Membership, { partner, user: { email } }, { populate: ['user'] });

  it('lists everyone on the team with name, email, role, status and last sign-in', async () => {
    const res = await ownerAgent.get('/users');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Olivia Owner');
    expect(res.text).toContain(member.email);
    expect(res.text).toContain('Member');
    expect(res.text).toContain('Active');
    expect(res.text).toMatch(/\d{1,2} \w{3,4} \d{4}, \d\d:\d\d UTC/);
    expect(res.text).toContain('+ Add user');
    // Removing someone starts on a confirmation page of its own (test/e2e/confirmations.test.ts).
    expect(res.text).toContain(`href="/users/${member.membership.id}/remove"`);
  });

  it('invites a coworker: flash, an invited row, an audit event and an email whose link creates the password', async () => {
    const before = await counts();
    const res = await add({ name: 'Carla Coworker', email: 'Carla@Globex.example', role: 'member' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/users');
    const page = await ownerAgent.get('/users');
    expect(page.text).toContain('Invitation sent to carla@globex.example.');
    expect(page.text).toContain('Invited');
    const m = await membershipOf('carla@globex.example');
    expect(m).toMatchObject({ role: 'member', acceptedAt: null });
    expect(m!.invitedBy?.id).toBe(owner.user.id);
    const event = await t.em().findOneOrFail(AuditEvent, { action: 'team.invited', subjectId: m!.id });
    expect(event.actorId).toBe(owner.user.id);
    expect(event.ip).toBeTruthy();
    expect(await counts()).toEqual({
      ...before,
      users: before.users + 1,
      memberships: before.memberships + 1,
      outbox: before.outbox + 1,
      audit: before.audit + 1,
    });

    await send();
    const mail = smtp.last('carla@globex.example');
    expect(mail.text).toContain('Globex Partners');
    expect(mail.text).toContain('Olivia Owner has invited you');
    const invitee = t.agent();
    await invitee.get(linkPathIn(mail));
    const form = await invitee.get('/invitations');
    const done = await invitee
      .post('/invitations')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), name: 'Carla Coworker', password: STRONG, confirm: STRONG });
    expect(done.status).toBe(303);
    await signIn(invitee, 'carla@globex.example', STRONG);
    const team = await invitee.get('/users');
    expect(team.text).toContain('Olivia Owner');
    expect(team.text).not.toContain('+ Add user');
    expect((await membershipOf('carla@globex.example'))!.acceptedAt).toBeInstanceOf(Date);
  });

  it('makes the browser that accepted the invitation known: it signs in while strangers’ wrong passwords pause the account', async () => {
    expect((await add({ name: 'Dora Known', email: 'dora@globex.example', role: 'member' })).status).toBe(303);
    await send();
    const invitee = t.agent();
    await invitee.get(linkPathIn(smtp.last('dora@globex.example')));
    const form = await invitee.get('/invitations');
    const weak = await invitee
      .post('/invitations')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), name: 'Dora Known', password: 'dora', confirm: 'dora' });
    expect(weak.status).toBe(422);
    // Only an acceptance that happened makes the browser known.
    expect(String(weak.headers['set-cookie'])).not.toContain('hub.browser');
    const done = await invitee
      .post('/invitations')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), name: 'Dora Known', password: STRONG, confirm: STRONG });
    expect(done.status).toBe(303);
    expect(String(done.headers['set-cookie'])).toMatch(/hub\.browser=/);

    for (let i = 0; i < 5; i++) await postForm(t.agent(), '/login', { email: 'dora@globex.example', password: 'not the password at all' });
    expect((await postForm(t.agent(), '/login', { email: 'dora@globex.example', password: STRONG })).status).toBe(429);
    expect((await postForm(invitee, '/login', { email: 'dora@globex.example', password: STRONG })).status).toBe(303);
  });

  it('says on the Users page when the mail server refused an invitation, until it is resent', async () => {
    smtp.rejectNext(1, 'bounce@globex.example');
    expect((await add({ name: 'Bo Bounce', email: 'bounce@globex.example', role: 'member' })).status).toBe(303);
    const row = async () => (await ownerAgent.get('/users')).text.split('<tr>').find((r) => r.includes('bounce@'))!;
    expect(await row()).not.toContain('Email not delivered');
    await send();
    expect(await row()).toContain('Email not delivered');
    expect(await row()).toContain('check the address, then resend or revoke');
    // A resent invitation is a new email: delivered, the row is a plain invitation again.
    const m = await membershipOf('bounce@globex.example');
    expect((await postForm(ownerAgent, `/users/${m!.id}/resend`, {}, '/users')).status).toBe(303);
    await send();
    expect(smtp.to('bounce@globex.example')).toHaveLength(1);
    expect(await row()).not.toContain('Email not delivered');
    expect(await row()).toContain('Invited');
  });

  it('marks Users in the navigation on its page and on the pages under it', async () => {
    expect((await ownerAgent.get('/users')).text).toContain('<a href="/users" aria-current="page">Users</a>');
    const form = (await ownerAgent.get('/users/new')).text;
    expect(form).toContain('<a href="/users" aria-current="true">Users</a>');
    expect(form).toContain('<a href="/accounts">WhatsApp Accounts</a>');
  });

  it('re-renders the invite form with 422 when the email is already on the team, writing nothing', async () => {
    const before = await counts();
    const res = await add({ name: 'Max Again', email: member.email.toUpperCase(), role: 'owner' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('This email is already on the team.');
    expect(res.text).toContain('value="Max Again"');
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['a header-injecting email', { name: 'Mallory', email: 'a@b.example\r\nBcc: x@y.example', role: 'member' }, 422],
    ['a malformed email', { name: 'Mallory', email: 'mallory@', role: 'member' }, 422],
    ['a 10,000-character name', { name: 'n'.repeat(10_000), email: 'long@globex.example', role: 'member' }, 422],
    ['a right-to-left override in the name', { name: 'Mallory\u202Egnp.exe', email: 'rtl@globex.example', role: 'member' }, 422],
    ['an unknown role', { name: 'Mallory', email: 'role@globex.example', role: 'admin' }, 422],
    ['a NUL byte', { name: 'Mall\u0000ory', email: 'nul@globex.example', role: 'member' }, 400],
    ['an unexpected field', { name: 'Mallory', email: 'extra@globex.example', role: 'member', isAdmin: 'yes' }, 400],
  ])('refuses %s with a clear 4xx, writing nothing and sending nothing', async (_case, fields, status) => {
    const before = await counts();
    const res = await add(fields);
    expect(res.status).toBe(status);
    expect(res.text).toMatch(/is required|valid email|at most 200|not allowed|owner or member|Unexpected field/);
    expect(await counts()).toEqual(before);
    await send();
    expect(smtp.messages.filter((m) => m.to.some((to) => /mallory|long@|rtl@|role@|nul@|extra@|x@y/.test(to)))).toHaveLength(0);
  });

  it('refuses email[]= with 400 and escapes what it shows back', async () => {
    const before = await counts();
    const _csrf = await csrfOf(ownerAgent, '/users/new');
    const arr = await ownerAgent
      .post('/users')
      .type('form')
      .send(`_csrf=${encodeURIComponent(_csrf)}&name=X&email[]=x@y.example&role=member`);
    expect(arr.status).toBe(400);
    const xss = await add({ name: '<script>alert(1)</script>', email: 'not an email', role: 'member' });
    expect(xss.status).toBe(422);
    expect(xss.text).not.toContain('<script>alert(1)</script>');
    expect(xss.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(await counts()).toEqual(before);
  });

  it('answers a member with 403 on every change, and shows no buttons', async () => {
    const agent = t.agent();
    await signIn(agent, member.email, member.password);
    const page = await agent.get('/users');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('+ Add user');
    expect(page.text).not.toContain('/remove');
    expect((await agent.get('/users/new')).status).toBe(403);
    const before = await counts();
    const target = (await membershipOf(owner.email))!;
    for (const [path, fields] of [
      ['/users', { name: 'Sneaky', email: 'sneaky@globex.example', role: 'owner' }],
      [`/users/${target.id}/role`, { role: 'member' }],
      [`/users/${target.id}/remove`, {}],
      [`/users/${target.id}/resend`, {}],
      [`/users/${target.id}/revoke`, {}],
    ] as const) {
      expect((await postForm(agent, path, fields, '/users')).status, path).toBe(403);
    }
    expect(await counts()).toEqual(before);
    expect((await membershipOf(owner.email))!.role).toBe('owner');
  });

  it('resends an invitation with a new link that replaces the old one', async () => {
    await add({ name: 'Dan Delay', email: 'dan@globex.example', role: 'member' });
    await send();
    const first = smtp.last('dan@globex.example');
    const m = (await membershipOf('dan@globex.example'))!;
    const res = await postForm(ownerAgent, `/users/${m.id}/resend`, {}, '/users');
    expect(res.status).toBe(303);
    await send();
    const second = smtp.last('dan@globex.example');
    expect(linkIn(second)).not.toBe(linkIn(first));
    expect(await t.em().count(AuditEvent, { action: 'team.invitation_resent', subjectId: m.id })).toBe(1);
    const old = t.agent();
    await old.get(linkPathIn(first));
    expect((await old.get('/invitations')).status).toBe(410);
    const fresh = t.agent();
    await fresh.get(linkPathIn(second));
    expect((await fresh.get('/invitations')).status).toBe(200);
  });

  it('revokes an invitation: the row goes, the link stops working, an audit event stays', async () => {
    await add({ name: 'Eve Early', email: 'eve@globex.example', role: 'owner' });
    await send();
    const mail = smtp.last('eve@globex.example');
    const m = (await membershipOf('eve@globex.example'))!;
    expect((await postForm(ownerAgent, `/users/${m.id}/revoke`, {}, '/users')).status).toBe(303);
    expect(await membershipOf('eve@globex.example')).toBeNull();
    expect(await t.em().count(AuditEvent, { action: 'team.invitation_revoked', subjectId: m.id })).toBe(1);
    const agent = t.agent();
    await agent.get(linkPathIn(mail));
    expect((await agent.get('/invitations')).status).toBe(410);
  });

  it('changes a role, and never demotes or removes the last owner', async () => {
    const maxM = (await membershipOf(member.email))!;
    expect((await postForm(ownerAgent, `/users/${maxM.id}/role`, { role: 'owner' }, '/users')).status).toBe(303);
    expect((await membershipOf(member.email))!.role).toBe('owner');
    const changed = await t.em().findOneOrFail(AuditEvent, { action: 'team.role_changed', subjectId: maxM.id });
    expect(changed.data).toMatchObject({ from: 'member', to: 'owner' });
    expect((await postForm(ownerAgent, `/users/${maxM.id}/role`, { role: 'member' }, '/users')).status).toBe(303);

    const self = (await membershipOf(owner.email))!;
    const eventsBefore = await t.em().count(AuditEvent, {});
    await postForm(ownerAgent, `/users/${self.id}/role`, { role: 'member' }, '/users');
    expect((await ownerAgent.get('/users')).text).toContain('The last owner can be neither removed nor made a member.');
    await postForm(ownerAgent, `/users/${self.id}/remove`, {}, '/users');
    expect((await ownerAgent.get('/users')).text).toContain('The last owner can be neither removed nor made a member.');
    expect((await membershipOf(owner.email))!.role).toBe('owner');
    expect(await t.em().count(AuditEvent, {})).toBe(eventsBefore);
  });

  it('applies a role change, or a disabled user, to the person’s very next request, wherever it was written', async () => {
    const changing = await createMember(t.em(), partner, { role: 'owner', name: 'Role Changes' });
    const agent = t.agent();
    await signIn(agent, changing.email, changing.password);
    expect((await agent.get('/settings/api-keys')).status).toBe(200);
    // As another instance writes it: straight into the database, nothing in this process told.
    await t.em().nativeUpdate(Membership, { id: changing.membership.id }, { role: 'member' });
    expect((await agent.get('/settings/api-keys')).status).toBe(403);
    await t.em().nativeUpdate(Membership, { id: changing.membership.id }, { role: 'owner' });
    expect((await agent.get('/settings/api-keys')).status).toBe(200);
    await t.em().nativeUpdate(User, { id: changing.user.id }, { disabledAt: t.clock.now() });
    expect((await agent.get('/accounts')).headers.location).toBe('/login');
  });

  it('removes someone: their sessions end at once and an audit event records it', async () => {
    const gone = await createMember(t.em(), partner, { role: 'member', name: 'Gone Soon' });
    const agent = t.agent();
    await signIn(agent, gone.email, gone.password);
    expect(await t.em().count(SessionRecord, { userId: gone.user.id })).toBe(1);
    const res = await postForm(ownerAgent, `/users/${gone.membership.id}/remove`, {}, '/users');
    expect(res.status).toBe(303);
    expect(await t.em().count(Membership, { id: gone.membership.id })).toBe(0);
    expect(await t.em().count(SessionRecord, { userId: gone.user.id })).toBe(0);
    expect((await agent.get('/accounts')).headers.location).toBe('/login');
    expect(await t.em().count(AuditEvent, { action: 'team.removed', subjectId: gone.membership.id })).toBe(1);
  });

  it.skipIf(!onPostgres())('keeps one owner when two owners demote each other at the same moment (PostgreSQL)', async () => {
    const duo = await createPartner(t.em(), { name: 'Duo' });
    const a = await createMember(t.em(), duo, { role: 'owner' });
    const b = await createMember(t.em(), duo, { role: 'owner' });
    const agentA = t.agent();
    const agentB = t.agent();
    await signIn(agentA, a.email, a.password);
    await signIn(agentB, b.email, b.password);
    const [tokenA, tokenB] = [await csrfOf(agentA, '/users'), await csrfOf(agentB, '/users')];
    await Promise.all([
      agentA.post(`/users/${b.membership.id}/role`).type('form').send({ _csrf: tokenA, role: 'member' }),
      agentB.post(`/users/${a.membership.id}/role`).type('form').send({ _csrf: tokenB, role: 'member' }),
    ]);
    expect(await t.em().count(Membership, { partner: duo, role: 'owner' })).toBe(1);
    expect(await t.em().count(AuditEvent, { partnerId: duo.id, action: 'team.role_changed' })).toBe(1);
  });

  it('answers 404 for a team member of another partner, changing nothing', async () => {
    const other = await createPartner(t.em(), { name: 'Other Co' });
    const stranger = await createMember(t.em(), other, { role: 'member', accepted: false });
    expect((await postForm(ownerAgent, `/users/${stranger.membership.id}/revoke`, {}, '/users')).status).toBe(404);
    expect(await t.em().count(Membership, { id: stranger.membership.id })).toBe(1);
  });
});

describe('a person on two partners', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  beforeAll(async () => {
    ({ t, smtp } = await createTestAppWithSmtp());
  });
  afterAll(() => t.close());

  it('joins a second partner by accepting with the password they already have; neither side learns about the other', async () => {
    const acme = await createPartner(t.em(), { name: 'Acme Secret Partner' });
    const person = await createMember(t.em(), acme, { role: 'member', name: 'Pat Private', email: 'pat@example.com' });
    const initech = await createPartner(t.em(), { name: 'Initech' });
    const boss = await createMember(t.em(), initech, { role: 'owner' });
    const bossAgent = t.agent();
    await signIn(bossAgent, boss.email, boss.password);

    const res = await postForm(bossAgent, '/users', { name: 'Patricia', email: 'pat@example.com', role: 'member' }, '/users/new');
    expect(res.status).toBe(303);
    const list = await bossAgent.get('/users');
    expect(list.text).toContain('Invitation sent to pat@example.com.');
    expect(list.text).toContain('Patricia');
    expect(list.text).not.toContain('Pat Private');
    expect(list.text).not.toContain('Acme Secret Partner');

    await t.app.get(MailWorker).sendDue(t.clock.now());
    const mail = smtp.last('pat@example.com');
    expect(mail.text).toContain('Initech');
    expect(mail.text).not.toContain('Acme Secret Partner');
    const agent = t.agent();
    await agent.get(linkPathIn(mail));
    const page = await agent.get('/invitations');
    expect(page.text).toContain('Accept invitation');
    expect(page.text).not.toContain('name="password"');
    expect(page.text).not.toContain('Acme Secret Partner');
    const done = await agent
      .post('/invitations')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    expect(done.status).toBe(303);
    expect(await t.em().count(Membership, { user: person.user, acceptedAt: { $ne: null } })).toBe(2);

    // The switcher: both partners offered, and every page says which one is being looked at.
    await signIn(agent, 'pat@example.com', person.password);
    const home = await agent.get('/users');
    expect(home.text).toContain('Acme Secret Partner');
    expect(home.text).toContain('The team of Acme Secret Partner.');
    const switched = await postForm(agent, '/partner', { partnerId: initech.id }, '/users');
    expect(switched.status).toBe(303);
    const after = await agent.get('/users');
    expect(after.text).toContain('You are now looking at Initech.');
    expect(after.text).toContain('The team of Initech.');
    expect(after.text).toContain(boss.email);
    expect(after.text).not.toContain('The team of Acme Secret Partner.');
    // A partner the person is not on cannot be switched to.
    const stranger = await createPartner(t.em(), { name: 'Not Yours' });
    await postForm(agent, '/partner', { partnerId: stranger.id }, '/users');
    const refused = await agent.get('/users');
    expect(refused.text).toContain('You are not on that partner’s team.');
    expect(refused.text).toContain('The team of Initech.');
  });

  it('lets a newcomer give their own name: a name another partner typed first is neither offered nor kept', async () => {
    const owners = await Promise.all(
      ['Beta Rival', 'Alpha Home'].map(async (name) => {
        const owner = await createMember(t.em(), await createPartner(t.em(), { name }), { role: 'owner' });
        const agent = t.agent();
        await signIn(agent, owner.email, owner.password);
        return agent;
      }),
    );
    const [beta, alpha] = owners;
    const invite = (agent: Agent, name: string) =>
      postForm(agent, '/users', { name, email: 'nina@alpha.example', role: 'member' }, '/users/new');
    expect((await invite(beta, 'Alice Owner (CEO)')).status).toBe(303);
    expect((await invite(alpha, 'Nina New')).status).toBe(303);
    await t.app.get(MailWorker).sendDue(t.clock.now());

    const nina = t.agent();
    await nina.get(linkPathIn(smtp.to('nina@alpha.example').find((m) => m.text.includes('Alpha Home'))!));
    const page = await nina.get('/invitations');
    expect(page.text).toContain('Alpha Home');
    expect(page.text).toContain('value="Nina New"');
    expect(page.text).not.toContain('Alice Owner');
    const blank = await nina
      .post('/invitations')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: ' ', password: STRONG, confirm: STRONG });
    expect(blank.status).toBe(422);
    expect(blank.text).toContain('Your name is required.');
    const done = await nina
      .post('/invitations')
      .type('form')
      .send({ _csrf: csrfFrom(blank.text), name: 'Nina Neumann', password: STRONG, confirm: STRONG });
    expect(done.status).toBe(303);

    const team = await alpha.get('/users');
    expect(team.text).toContain('Nina Neumann');
    expect(team.text).not.toContain('Alice Owner');
    expect((await t.em().findOneOrFail(User, { email: 'nina@alpha.example' })).name).toBe('Nina Neumann');
  });
});
