import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../src/audit/entities/audit-event.entity';
import { Membership } from '../../src/auth/entities/membership.entity';
import { SessionRecord } from '../../src/auth/entities/session.entity';
import type { Partner } from '../../src/partners/entities/partner.entity';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createTestApp, type TestApp } from '../support/app';
import { onPostgres } from '../support/database';
import { csrfFrom, signIn } from '../support/http';

type Agent = ReturnType<TestApp['agent']>;

/** The one form of a confirmation page: where it posts, its fields, and the Cancel link. */
function confirmForm(html: string) {
  const form = /<form method="post" action="([^"]+)" class="confirm-actions">([\s\S]*?)<\/form>/.exec(html);
  if (!form) return undefined;
  const fields = Object.fromEntries(
    [...form[2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]),
  );
  return { action: form[1], fields, cancel: /<a class="button secondary" href="([^"]+)">Cancel<\/a>/.exec(form[2])?.[1] };
}

/** The text of a page's main part, tags removed and spaces folded, for reading sentences. */
const textOf = (html: string) =>
  (/<main[^>]*>([\s\S]*)<\/main>/.exec(html)?.[1] ?? html)
    .replace(/<[^>]+>/g, '')
    .replace(/&#x27;/g, "'")
    .replace(/\s+/g, ' ');

describe(`confirmation pages for team changes (${onPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let partner: Partner;
  let owner: MemberFixture;
  let ownerAgent: Agent;

  const membership = (id: string) => t.em().findOne(Membership, { id });
  const teamEvents = () => t.em().count(AuditEvent, { action: { $like: 'team.%' } });

  beforeAll(async () => {
    t = await createTestApp();
    partner = await createPartner(t.em(), { name: 'Globex Partners' });
    owner = await createMember(t.em(), partner, { role: 'owner', name: 'Olivia Owner' });
    ownerAgent = t.agent();
    await signIn(ownerAgent, owner.email, owner.password);
  });
  afterAll(() => t.close());

  it('links Make owner, Make member and Remove on the Users page to their confirmation pages, with no one-click form', async () => {
    const coworker = await createMember(t.em(), partner, { role: 'member', name: 'Carl Coworker' });
    const page = await ownerAgent.get('/users');
    expect(page.status).toBe(200);
    const id = coworker.membership.id;
    expect(page.text).toContain(`href="/users/${id}/remove"`);
    expect(page.text).toContain(`href="/users/${id}/role?role=owner"`);
    expect(page.text).not.toMatch(/action="\/users\/[^"]+\/(remove|role)"/);
    // The only owner is offered neither: the page says why instead.
    expect(page.text).not.toContain(`href="/users/${owner.membership.id}/role?role=member"`);
    expect(page.text).not.toContain(`href="/users/${owner.membership.id}/remove"`);
    expect(textOf(page.text)).toContain('The only owner: make another owner first');
    // With a second owner, either may be made a member or removed.
    const second = await createMember(t.em(), partner, { role: 'owner', name: 'Oscar Owner' });
    const two = await ownerAgent.get('/users');
    for (const m of [owner, second]) {
      expect(two.text).toContain(`href="/users/${m.membership.id}/role?role=member"`);
      expect(two.text).toContain(`href="/users/${m.membership.id}/remove"`);
    }
    expect(textOf(two.text)).not.toContain('The only owner');
  });

  it('says who is removed, from which partner and what they lose, and removes no one until confirmed', async () => {
    const gone = await createMember(t.em(), partner, { role: 'member', name: 'Rita Removed' });
    const goneAgent = t.agent();
    await signIn(goneAgent, gone.email, gone.password);
    const events = await teamEvents();

    const page = await ownerAgent.get(`/users/${gone.membership.id}/remove`);
    expect(page.status).toBe(200);
    const text = textOf(page.text);
    expect(text).toContain('Remove Rita Removed from Globex Partners?');
    expect(text).toContain(gone.email);
    expect(text).toContain('Rita Removed can no longer open Globex Partners on Partner Hub: its WhatsApp numbers, clients and downloads.');
    expect(text).toContain('Every session Rita Removed has open ends at once');
    const form = confirmForm(page.text)!;
    expect(form).toEqual({ action: `/users/${gone.membership.id}/remove`, fields: { _csrf: csrfFrom(page.text) }, cancel: '/users' });
    // Looking at the page changed nothing.
    expect(await membership(gone.membership.id)).not.toBeNull();
    expect(await teamEvents()).toBe(events);

    const done = await ownerAgent.post(form.action).type('form').send(form.fields);
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/users');
    expect(await membership(gone.membership.id)).toBeNull();
    expect(await t.em().count(SessionRecord, { userId: gone.user.id })).toBe(0);
    const event = await t.em().findOneOrFail(AuditEvent, { action: 'team.removed', subjectId: gone.membership.id });
    expect(event).toMatchObject({ actorId: owner.user.id, partnerId: partner.id });
    expect(event.data).toMatchObject({ email: gone.email, role: 'member' });
    expect(await teamEvents()).toBe(events + 1);
    expect((await ownerAgent.get('/users')).text).toContain(`${gone.email} was removed from the team.`);
  });

  it('says what changes with a role, and changes it only when confirmed', async () => {
    const max = await createMember(t.em(), partner, { role: 'member', name: 'Max Member' });
    const events = await teamEvents();

    const page = await ownerAgent.get(`/users/${max.membership.id}/role?role=owner`);
    expect(page.status).toBe(200);
    const text = textOf(page.text);
    expect(text).toContain('Make Max Member an owner of Globex Partners?');
    const rights =
      'manage the team (invite, change roles, remove people) and its API keys, request and withdraw payment revocations, and see Activity';
    expect(text).toContain(`As an owner of Globex Partners, Max Member can also ${rights}`);
    // The invitation form names the same rights.
    expect(textOf((await ownerAgent.get('/users/new')).text)).toContain(`Owner Can also ${rights}`);
    const form = confirmForm(page.text)!;
    expect(form).toEqual({
      action: `/users/${max.membership.id}/role`,
      fields: { _csrf: csrfFrom(page.text), role: 'owner' },
      cancel: '/users',
    });
    expect((await membership(max.membership.id))!.role).toBe('member');
    expect(await teamEvents()).toBe(events);

    const done = await ownerAgent.post(form.action).type('form').send(form.fields);
    expect(done.status).toBe(303);
    expect((await membership(max.membership.id))!.role).toBe('owner');
    const event = await t.em().findOneOrFail(AuditEvent, { action: 'team.role_changed', subjectId: max.membership.id });
    expect(event.data).toMatchObject({ from: 'member', to: 'owner' });

    const back = textOf((await ownerAgent.get(`/users/${max.membership.id}/role?role=member`)).text);
    expect(back).toContain('Make Max Member a member of Globex Partners?');
    expect(back).toContain('Max Member can no longer manage the team');
  });

  it('changes nothing when the person cancels: Cancel goes back to Users', async () => {
    const stay = await createMember(t.em(), partner, { role: 'member', name: 'Stan Stays' });
    const events = await teamEvents();
    for (const path of [`/users/${stay.membership.id}/remove`, `/users/${stay.membership.id}/role?role=owner`]) {
      const page = await ownerAgent.get(path);
      const cancel = await ownerAgent.get(confirmForm(page.text)!.cancel!);
      expect(cancel.status).toBe(200);
      expect(cancel.text).toContain('Stan Stays');
    }
    expect(await membership(stay.membership.id)).toMatchObject({ role: 'member' });
    expect(await teamEvents()).toBe(events);
  });

  it('refuses the confirming POST without the form token, changing nothing', async () => {
    const target = await createMember(t.em(), partner, { role: 'member' });
    const events = await teamEvents();
    const removal = await ownerAgent.post(`/users/${target.membership.id}/remove`).type('form').send({});
    expect(removal.status).toBe(403);
    const role = await ownerAgent.post(`/users/${target.membership.id}/role`).type('form').send({ _csrf: 'not-the-token', role: 'owner' });
    expect(role.status).toBe(403);
    expect(await membership(target.membership.id)).toMatchObject({ role: 'member' });
    expect(await teamEvents()).toBe(events);
  });

  it('offers no form to remove or demote the last owner, and says why', async () => {
    // Max became an owner above: the signed-in owner is made the only one again.
    await t.em().nativeUpdate(Membership, { partner, role: 'owner', id: { $ne: owner.membership.id } }, { role: 'member' });
    for (const path of [`/users/${owner.membership.id}/remove`, `/users/${owner.membership.id}/role?role=member`]) {
      const page = await ownerAgent.get(path);
      expect(page.status).toBe(200);
      expect(textOf(page.text)).toContain('The last owner can be neither removed nor made a member.');
      expect(confirmForm(page.text)).toBeUndefined();
    }
  });

  it('says so when the person already has the role, with no form', async () => {
    const page = await ownerAgent.get(`/users/${owner.membership.id}/role?role=owner`);
    expect(page.status).toBe(200);
    expect(textOf(page.text)).toContain('You are already an owner.');
    expect(confirmForm(page.text)).toBeUndefined();
  });

  it('tells an owner removing an invitation that the link stops working', async () => {
    const invited = await createMember(t.em(), partner, { role: 'member', name: 'Ina Invited', accepted: false });
    const text = textOf((await ownerAgent.get(`/users/${invited.membership.id}/remove`)).text);
    expect(text).toContain(`The invitation sent to ${invited.email} stops working`);
  });

  it.each([
    ['no role', ''],
    ['an unknown role', '?role=admin'],
    ['the role twice', '?role=owner&role=member'],
    ['role[]=', '?role[]=owner'],
    ['an unexpected parameter', '?role=owner&isAdmin=1'],
  ])('answers %s in the role link with 400, never a 500', async (_case, query) => {
    const target = await createMember(t.em(), partner, { role: 'member' });
    const res = await ownerAgent.get(`/users/${target.membership.id}/role${query}`);
    expect(res.status).toBe(400);
    expect(confirmForm(res.text)).toBeUndefined();
  });

  it("answers 404 for another partner's member on both pages", async () => {
    const other = await createPartner(t.em(), { name: 'Other Co' });
    const stranger = await createMember(t.em(), other, { role: 'member', name: 'Sam Stranger' });
    for (const path of [`/users/${stranger.membership.id}/remove`, `/users/${stranger.membership.id}/role?role=owner`]) {
      const res = await ownerAgent.get(path);
      expect(res.status, path).toBe(404);
      expect(res.text).not.toContain('Sam Stranger');
      expect(res.text).not.toContain('Other Co');
    }
  });

  it('answers a member (not an owner) with 403 on both pages', async () => {
    const member = await createMember(t.em(), partner, { role: 'member', name: 'Mia Member' });
    const agent = t.agent();
    await signIn(agent, member.email, member.password);
    for (const path of [`/users/${owner.membership.id}/remove`, `/users/${owner.membership.id}/role?role=member`]) {
      const res = await agent.get(path);
      expect(res.status, path).toBe(403);
      expect(confirmForm(res.text)).toBeUndefined();
    }
  });
});
