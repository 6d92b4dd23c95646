import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WhatsappNumber } from '../../src/accounts/entities/whatsapp-number.entity';
import { createTestApp, type TestApp } from '../support/app';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createNumber } from '../factories/accounts';
import { csrfFrom, csrfOf, postForm, signIn } from '../support/http';

type Agent = ReturnType<TestApp['agent']>;

const HOSTILE = [
  '//evil.example',
  '/\\evil.example',
  'https://evil.example',
  '/%2F%2Fevil.example',
  '%2F%2Fevil.example',
  '/%5Cevil.example',
  '/.//evil.example',
  '/%2e%2e//evil.example',
  'javascript:alert(1)',
  '/%0d%0aSet-Cookie:x=1',
];

/** Handlebars escapes these in an attribute; a browser reads them back before sending the form. */
const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#x27;': "'",
  '&#x60;': '`',
  '&#x3D;': '=',
};

/** The value of the sign-in form's hidden `next` field, as a browser would send it; undefined without one. */
function hiddenNext(html: string): string | undefined {
  const match = /<input type="hidden" name="next" value="([^"]*)">/.exec(html);
  return match?.[1].replace(/&(amp|lt|gt|quot|#x27|#x60|#x3D);/g, (entity) => ENTITIES[entity]);
}

/** Opens the sign-in page the redirect led to and sends its form as a browser would, `next` included. */
async function signInThrough(agent: Agent, loginUrl: string, who: MemberFixture, password = who.password) {
  const page = await agent.get(loginUrl);
  expect(page.status).toBe(200);
  const next = hiddenNext(page.text);
  return agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email: who.email, password, ...(next === undefined ? {} : { next }) });
}

describe('after sign-in, the page the person asked for', () => {
  let t: TestApp;
  let owner: MemberFixture;
  let number: WhatsappNumber;

  beforeAll(async () => {
    t = await createTestApp();
    const partner = await createPartner(t.em(), { name: 'Initech Partners' });
    owner = await createMember(t.em(), partner, { role: 'owner' });
    number = await createNumber(t.em(), partner, { displayName: 'Initech Support' });
  });
  afterAll(() => t.close());

  it('sends a signed-out visit to a filtered list to sign in with the list as next, and lands there after', async () => {
    const agent = t.agent();
    const visit = await agent.get('/accounts?lifecycle=error');
    expect(visit.status).toBe(303);
    expect(visit.headers.location).toBe('/login?next=%2Faccounts%3Flifecycle%3Derror');

    const page = await agent.get(visit.headers.location);
    expect(page.text).toContain('<input type="hidden" name="next" value="/accounts?lifecycle&#x3D;error">');
    const res = await signInThrough(agent, visit.headers.location, owner);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts?lifecycle=error');
    expect((await agent.get(res.headers.location)).status).toBe(200);
  });

  it("lands on a number's page opened from an email", async () => {
    const agent = t.agent();
    const visit = await agent.get(`/accounts/${number.id}`);
    expect(visit.headers.location).toBe(`/login?next=${encodeURIComponent(`/accounts/${number.id}`)}`);
    const res = await signInThrough(agent, visit.headers.location, owner);
    expect(res.headers.location).toBe(`/accounts/${number.id}`);
    const details = await agent.get(res.headers.location);
    expect(details.status).toBe(200);
    expect(details.text).toContain('Initech Support');
  });

  it('carries the team and activity pages, and HEAD like GET', async () => {
    for (const path of ['/users', '/activity']) {
      const visit = await t.http().get(path);
      expect([visit.status, visit.headers.location]).toEqual([303, `/login?next=${encodeURIComponent(path)}`]);
    }
    const head = await t.http().head('/users');
    expect([head.status, head.headers.location]).toEqual([303, '/login?next=%2Fusers']);
  });

  it('carries nothing for the default landing page, nor for a form sent signed out', async () => {
    for (const path of ['/', '/accounts']) {
      expect((await t.http().get(path)).headers.location).toBe('/login');
    }
    const agent = t.agent();
    const _csrf = await csrfOf(agent, '/login');
    const post = await agent.post('/partner').type('form').send({ _csrf, partnerId: 'x' });
    expect([post.status, post.headers.location]).toEqual([303, '/login']);
  });

  it('lands on WhatsApp Accounts without a next, as before', async () => {
    const res = await signInThrough(t.agent(), '/login', owner);
    expect([res.status, res.headers.location]).toEqual([303, '/accounts']);
  });

  describe.each(HOSTILE)('a hostile next %j', (hostile) => {
    it('is not echoed into the sign-in page', async () => {
      const page = await t.http().get('/login').query({ next: hostile });
      expect(page.status).toBe(200);
      expect(hiddenNext(page.text)).toBeUndefined();
      expect(page.text).not.toContain('evil.example');
      expect(page.text).not.toContain('alert(1)');
      expect(page.text).not.toContain('Set-Cookie');
    });

    it('signs the person in and lands on WhatsApp Accounts', async () => {
      const agent = t.agent();
      const res = await postForm(agent, '/login', { email: owner.email, password: owner.password, next: hostile });
      expect([res.status, res.headers.location]).toEqual([303, '/accounts']);
      expect(String(res.headers['set-cookie'])).not.toContain('x=1');
      expect((await agent.get('/accounts')).status).toBe(200);
    });

    it('sends a person already signed in to WhatsApp Accounts', async () => {
      const agent = t.agent();
      await signIn(agent, owner.email, owner.password);
      const res = await agent.get('/login').query({ next: hostile });
      expect([res.status, res.headers.location]).toEqual([303, '/accounts']);
    });
  });

  it('re-renders a failed sign-in with 422 and the next kept, then lands there', async () => {
    const agent = t.agent();
    const failed = await signInThrough(agent, '/login?next=%2Fusers', owner, 'not the password at all');
    expect(failed.status).toBe(422);
    expect(failed.text).toContain('The email or password is incorrect.');
    expect(hiddenNext(failed.text)).toBe('/users');
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(failed.text), email: owner.email, password: owner.password, next: hiddenNext(failed.text) });
    expect([res.status, res.headers.location]).toEqual([303, '/users']);
  });

  it('keeps the next on a form sent without a password, and drops a hostile one there too', async () => {
    const agent = t.agent();
    const _csrf = await csrfOf(agent, '/login');
    const empty = await agent.post('/login').type('form').send({ _csrf, email: owner.email, password: '', next: '/activity' });
    expect(empty.status).toBe(422);
    expect(hiddenNext(empty.text)).toBe('/activity');
    const hostile = await agent.post('/login').type('form').send({ _csrf, email: '', password: '', next: '//evil.example' });
    expect(hostile.status).toBe(422);
    expect(hiddenNext(hostile.text)).toBeUndefined();
  });

  it('keeps the next on the lock-out page', async () => {
    const partner = await createPartner(t.em());
    const locked = await createMember(t.em(), partner);
    const agent = t.agent();
    let res = await signInThrough(agent, '/login?next=%2Fusers', locked, 'wrong password number 0');
    for (let i = 1; res.status === 422 && i < 10; i++) {
      res = await signInThrough(agent, '/login?next=%2Fusers', locked, `wrong password number ${i}`);
    }
    expect(res.status).toBe(429);
    expect(res.text).toContain('Too many failed sign-ins.');
    expect(hiddenNext(res.text)).toBe('/users');
  });

  it('sends a person already signed in on to a safe next, never back to sign in', async () => {
    const agent = t.agent();
    await signIn(agent, owner.email, owner.password);
    const users = await agent.get('/login?next=%2Fusers');
    expect([users.status, users.headers.location]).toEqual([303, '/users']);
    const loop = await agent.get(`/login?next=${encodeURIComponent('/login?next=%2Fusers')}`);
    expect([loop.status, loop.headers.location]).toEqual([303, '/accounts']);
  });
});

/** An attribute's value as a browser reads it back. */
const unescaped = (value: string) => value.replace(/&(amp|lt|gt|quot|#x27|#x60|#x3D);/g, (entity) => ENTITIES[entity]);

/** The addresses a page's breadcrumb links to, in order. */
function crumbs(html: string): string[] {
  const crumb = /<p class="breadcrumb">(.*?)<\/p>/s.exec(html);
  expect(crumb, 'a breadcrumb').not.toBeNull();
  return [...crumb![1].matchAll(/href="([^"]*)"/g)].map((m) => unescaped(m[1]));
}

/** The address of the page's one link whose address starts with `prefix`, as a browser follows it. */
function linkTo(html: string, prefix: string): string {
  const hrefs = [...html.matchAll(/(?:href|action)="([^"]*)"/g)].map((m) => unescaped(m[1])).filter((h) => h.startsWith(prefix));
  expect(new Set(hrefs).size, prefix).toBe(1);
  return hrefs[0];
}

describe("the way back to the list through a number's revocation pages", () => {
  let t: TestApp;
  let owner: MemberFixture;
  let number: WhatsappNumber;
  let agent: Agent;
  const list = '/accounts?q=Initech&sort=phone&dir=desc';
  const back = `?back=${encodeURIComponent(list)}`;

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2026-11-26T10:00:00Z');
    const partner = await createPartner(t.em(), { name: 'Initech Partners' });
    owner = await createMember(t.em(), partner, { role: 'owner' });
    number = await createNumber(t.em(), partner, { displayName: 'Initech Support' });
    await createNumber(t.em(), partner, { displayName: 'Initech Sales' });
    agent = t.agent();
    await signIn(agent, owner.email, owner.password);
  });
  afterAll(() => t.close());

  it('requests and withdraws a revocation from a filtered list, every page and redirect leading back to that list', async () => {
    const details = await agent.get(linkTo((await agent.get(list)).text, `/accounts/${number.id}?`));
    expect(details.status).toBe(200);
    const numberHref = `/accounts/${number.id}${back}`;
    const clientHref = `/clients/${number.client.id}${back}`;
    expect(crumbs(details.text)).toEqual([list, clientHref]);

    const form = await agent.get(linkTo(details.text, `/accounts/${number.id}/revocation/new`));
    expect(form.status).toBe(200);
    expect(crumbs(form.text)).toEqual([list, numberHref]);
    expect(linkTo(form.text, '/clients/')).toBe(clientHref);
    const action = linkTo(form.text, `/accounts/${number.id}/revocation?`);
    expect(action).toBe(`/accounts/${number.id}/revocation${back}`);

    const wrong = await agent
      .post(action)
      .type('form')
      .send({ _csrf: csrfFrom(form.text), confirmation: '+1 555 0100' });
    expect(wrong.status).toBe(422);
    expect(crumbs(wrong.text)).toEqual([list, numberHref]);
    expect(linkTo(wrong.text, `/accounts/${number.id}/revocation?`)).toBe(action);

    const requested = await agent
      .post(action)
      .type('form')
      .send({ _csrf: csrfFrom(wrong.text), confirmation: number.phoneNumber });
    expect([requested.status, requested.headers.location]).toEqual([303, numberHref]);
    const afterRequest = await agent.get(requested.headers.location);
    expect(afterRequest.text).toContain('Revocation requested for');
    expect(crumbs(afterRequest.text)[0]).toBe(list);

    const confirm = await agent.get(linkTo(afterRequest.text, `/accounts/${number.id}/revocation/withdraw`));
    expect(confirm.status).toBe(200);
    expect(crumbs(confirm.text)).toEqual([list, numberHref]);
    expect(linkTo(confirm.text, '/clients/')).toBe(clientHref);
    const withdrawn = await agent
      .post(linkTo(confirm.text, `/accounts/${number.id}/revocation/withdraw?`))
      .type('form')
      .send({ _csrf: csrfFrom(confirm.text) });
    expect([withdrawn.status, withdrawn.headers.location]).toEqual([303, numberHref]);
    expect((await agent.get(withdrawn.headers.location)).text).toContain('withdrawn');
    expect((await t.em().findOneOrFail(WhatsappNumber, number.id)).billingState).toBe('partner_paid');

    // The client page opened from these pages goes back to the list too.
    const client = await agent.get(clientHref);
    expect(client.status).toBe(200);
    expect(crumbs(client.text)).toEqual([list]);
  });

  it("leads from the list's client names, in the table and the cards, to client pages that lead back to that list", async () => {
    const clientPage = `/clients/${number.client.id}${back}`;
    expect(linkTo((await agent.get(list)).text, `/clients/${number.client.id}`)).toBe(clientPage);
    const _csrf = csrfFrom((await agent.get(list)).text);
    const byClient = '/accounts?q=Initech&sort=client';
    await agent.post('/accounts/layout').type('form').send({ _csrf, layout: 'cards', return: byClient });
    const cards = (await agent.get(byClient)).text;
    expect(cards).toContain('class="client-heading"');
    expect(linkTo(cards, `/clients/${number.client.id}`)).toBe(`/clients/${number.client.id}?back=${encodeURIComponent(byClient)}`);
    await agent.post('/accounts/layout').type('form').send({ _csrf, layout: 'table', return: list });
    expect(crumbs((await agent.get(clientPage)).text)).toEqual([list]);
  });

  it('leads a page opened from the client page back to that page', async () => {
    const from = `/clients/${number.client.id}?sort=phone`;
    const form = await agent.get(`/accounts/${number.id}/revocation/new`).query({ back: from });
    expect(crumbs(form.text)).toEqual(['/accounts', `/accounts/${number.id}?back=${encodeURIComponent(from)}`]);
    expect(linkTo(form.text, '/clients/')).toBe(from);
  });

  describe.each([...HOSTILE, '/users', '/accounts/../users', '/clients/AAAAAAAAAAAAAAAAAAAAAA', 'https://x/accounts'])(
    'a hostile back %j',
    (hostile) => {
      it('leaves the revocation pages, their redirect and the client page leading to the plain list', async () => {
        const form = await agent.get(`/accounts/${number.id}/revocation/new`).query({ back: hostile });
        expect(form.status).toBe(200);
        expect(crumbs(form.text)).toEqual(['/accounts', `/accounts/${number.id}`]);
        expect(linkTo(form.text, '/clients/')).toBe(`/clients/${number.client.id}`);
        expect(linkTo(form.text, `/accounts/${number.id}/revocation`)).toBe(`/accounts/${number.id}/revocation`);
        expect(form.text).not.toContain('evil.example');

        const res = await agent
          .post(`/accounts/${number.id}/revocation`)
          .query({ back: hostile })
          .type('form')
          .send({ _csrf: csrfFrom(form.text), confirmation: number.phoneNumber });
        expect([res.status, res.headers.location]).toEqual([303, `/accounts/${number.id}`]);
        const confirm = await agent.get(`/accounts/${number.id}/revocation/withdraw`).query({ back: hostile });
        expect(crumbs(confirm.text)).toEqual(['/accounts', `/accounts/${number.id}`]);
        const withdrawn = await agent
          .post(`/accounts/${number.id}/revocation/withdraw`)
          .query({ back: hostile })
          .type('form')
          .send({ _csrf: csrfFrom(confirm.text) });
        expect([withdrawn.status, withdrawn.headers.location]).toEqual([303, `/accounts/${number.id}`]);

        const client = await agent.get(`/clients/${number.client.id}`).query({ back: hostile });
        expect(client.status).toBe(200);
        expect(crumbs(client.text)).toEqual(['/accounts']);
      });
    },
  );
});
