import { promisify } from 'node:util';
import { MikroORM } from '@mikro-orm/core';
import type { SessionData } from 'express-session';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../src/audit/entities/audit-event.entity';
import { SessionRecord } from '../../src/auth/entities/session.entity';
import { DbSessionStore } from '../../src/auth/session.store';
import { APP_CONFIG, type AppConfig } from '../../src/config/config';
import { Sql } from '../../src/database/sql';
import { UserToken } from '../../src/auth/entities/user-token.entity';
import { MailWorker } from '../../src/mail/mail-worker.service';
import { OutboxEmail } from '../../src/mail/entities/outbox-email.entity';
import { User } from '../../src/auth/entities/user.entity';
import { createTestAppWithSmtp, type TestApp } from '../support/app';
import { HOUR, MINUTE } from '../support/clock';
import { csrfFrom, postForm, signIn } from '../support/http';
import { linkPathIn, type TestSmtp } from '../support/smtp';
import { createMember, createPartner } from '../factories';

const NEW_PASSWORD = 'saffron glacier pencil 71 ember';

describe('forgotten password', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  const send = () => t.settled().then(() => t.app.get(MailWorker).sendDue(t.clock.now()));
  const ask = (email: string) => postForm(t.agent(), '/password/forgot', { email });

  beforeAll(async () => {
    ({ t, smtp } = await createTestAppWithSmtp());
  });
  afterAll(() => t.close());

  it('answers the same for a known and an unknown email, and sends the link only to the known one', async () => {
    const partner = await createPartner(t.em(), { name: 'Umbrella' });
    const person = await createMember(t.em(), partner, { role: 'member' });
    const known = await ask(person.email);
    const unknown = await ask('nobody@umbrella.example');
    expect(known.status).toBe(303);
    expect(unknown.status).toBe(303);
    expect(known.headers.location).toBe(unknown.headers.location);
    await send();
    expect(smtp.to(person.email)).toHaveLength(1);
    expect(smtp.last(person.email).text).toContain('Umbrella');
    // The unknown address is told that no account uses it: the same work, and no link.
    expect(smtp.to('nobody@umbrella.example')).toHaveLength(1);
    expect(smtp.last('nobody@umbrella.example').text).toContain('no Partner Hub team has an account with this address');
    expect(smtp.last('nobody@umbrella.example').text).not.toMatch(/\/password\/reset\//);
  });

  it('sends at most 3 links per email and hour, then answers 429', async () => {
    const partner = await createPartner(t.em());
    const person = await createMember(t.em(), partner, { role: 'member' });
    for (let i = 0; i < 5; i++) {
      expect((await ask(person.email)).status).toBe(i < 3 ? 303 : 429);
      await send();
    }
    expect(smtp.to(person.email)).toHaveLength(3);
    expect(await t.em().count(UserToken, { user: person.user, kind: 'password_reset' })).toBe(3);
    expect(await t.em().count(OutboxEmail, { toAddress: person.email })).toBe(3);
    t.clock.advance(HOUR + MINUTE);
    await ask(person.email);
    await send();
    expect(smtp.to(person.email)).toHaveLength(4);
  });

  it('refuses a malformed or header-injecting address with 422 and sends nothing', async () => {
    const before = await t.em().count(OutboxEmail, {});
    const res = await ask('a@b.example\r\nBcc: x@y.example');
    expect(res.status).toBe(422);
    expect(res.text).toContain('Enter a valid email address.');
    expect(await t.em().count(OutboxEmail, {})).toBe(before);
  });

  it('makes the browser that reset the password known: it signs in while strangers’ wrong passwords pause the account', async () => {
    const person = await createMember(t.em(), await createPartner(t.em()), { role: 'member' });
    for (let i = 0; i < 5; i++) await postForm(t.agent(), '/login', { email: person.email, password: 'not the password at all' });
    expect((await postForm(t.agent(), '/login', { email: person.email, password: person.password })).status).toBe(429);
    await ask(person.email);
    await send();
    const agent = t.agent();
    // The lock notice went to the same address, and points to this way out; the link is in the other email.
    expect(smtp.to(person.email).some((m) => m.text.includes('the browser you choose it in can sign in at once'))).toBe(true);
    const link = smtp.to(person.email).find((m) => /\/password\/reset\//.test(m.text))!;
    await agent.get(linkPathIn(link));
    const page = await agent.get('/password/reset');
    const done = await agent
      .post('/password/reset')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(done.status).toBe(303);
    expect(String(done.headers['set-cookie'])).toMatch(/hub\.browser=/);
    expect((await postForm(t.agent(), '/login', { email: person.email, password: NEW_PASSWORD })).status).toBe(429);
    expect((await postForm(agent, '/login', { email: person.email, password: NEW_PASSWORD })).status).toBe(303);
  });

  it('resets the password with the link once: every session ends, an email says so, no automatic sign-in', async () => {
    const partner = await createPartner(t.em(), { name: 'Tyrell' });
    const person = await createMember(t.em(), partner, { role: 'owner', email: 'rachael@tyrell.example' });
    const elsewhere = t.agent();
    await signIn(elsewhere, person.email, person.password);
    await ask(person.email);
    await send();
    const mail = smtp.last(person.email);

    const agent = t.agent();
    const stash = await agent.get(linkPathIn(mail));
    expect(stash.status).toBe(303);
    expect(stash.headers.location).toBe('/password/reset');
    const page = await agent.get('/password/reset');
    expect(page.status).toBe(200);
    expect(page.text).toContain('rachael@tyrell.example');
    expect(page.text).toContain('Tyrell');
    const weak = await agent
      .post('/password/reset')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), password: 'tyrell-rachael-1', confirm: 'tyrell-rachael-1' });
    expect(weak.status).toBe(422);
    // Only a reset that happened makes the browser known.
    expect(String(weak.headers['set-cookie'])).not.toContain('hub.browser');
    const done = await agent
      .post('/password/reset')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/login');

    expect(await t.em().count(SessionRecord, { userId: person.user.id })).toBe(0);
    expect((await elsewhere.get('/accounts')).headers.location).toBe('/login');
    expect((await agent.get('/users')).headers.location).toBe('/login?next=%2Fusers');
    expect(await t.em().count(AuditEvent, { action: 'auth.password_reset', actorId: person.user.id, partnerId: partner.id })).toBe(1);
    const user = await t.em().findOneOrFail(User, person.user.id);
    expect(user.passwordChangedAt).toEqual(t.clock.now());
    await send();
    const changed = smtp.last(person.email);
    expect(changed.subject).toContain('password was changed');
    expect(changed.text).toContain('Tyrell');

    expect((await postForm(t.agent(), '/login', { email: person.email, password: person.password })).status).toBe(422);
    await signIn(t.agent(), person.email, NEW_PASSWORD);
    // The link is used up.
    const again = t.agent();
    await again.get(linkPathIn(mail));
    expect((await again.get('/password/reset')).status).toBe(410);
  });

  it('lets a reset link expire after 60 minutes', async () => {
    const partner = await createPartner(t.em());
    const person = await createMember(t.em(), partner, { role: 'member' });
    await ask(person.email);
    await send();
    t.clock.advance(61 * MINUTE);
    const agent = t.agent();
    await agent.get(linkPathIn(smtp.last(person.email)));
    const page = await agent.get('/password/reset');
    expect(page.status).toBe(410);
    expect(page.text).toContain('Send me a new link');
  });
});

describe('changing the password from the profile', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  beforeAll(async () => {
    ({ t, smtp } = await createTestAppWithSmtp());
  });
  afterAll(() => t.close());

  it('needs the current password, then ends the other sessions but keeps this one', async () => {
    const partner = await createPartner(t.em(), { name: 'Cyberdyne' });
    const person = await createMember(t.em(), partner, { role: 'member', name: 'Sarah' });
    const here = t.agent();
    const there = t.agent();
    await signIn(here, person.email, person.password);
    await signIn(there, person.email, person.password);
    const profile = await here.get('/profile');
    expect(profile.status).toBe(200);
    // The address may wrap after its @ and before its dots.
    expect(profile.text.replaceAll('<wbr>', '')).toContain(person.email);

    const wrong = await postForm(
      here,
      '/profile/password',
      { current: 'not my password at all', password: NEW_PASSWORD, confirm: NEW_PASSWORD },
      '/profile',
    );
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('The current password is incorrect.');
    const ok = await postForm(
      here,
      '/profile/password',
      { current: person.password, password: NEW_PASSWORD, confirm: NEW_PASSWORD },
      '/profile',
    );
    expect(ok.status).toBe(303);
    expect((await here.get('/profile')).status).toBe(200);
    expect((await there.get('/profile')).headers.location).toBe('/login?next=%2Fprofile');
    expect(await t.em().count(SessionRecord, { userId: person.user.id })).toBe(1);
    expect(await t.em().count(AuditEvent, { action: 'auth.password_changed', actorId: person.user.id })).toBe(1);
    await t.app.get(MailWorker).sendDue(t.clock.now());
    expect(smtp.last(person.email).subject).toContain('password was changed');
    await signIn(t.agent(), person.email, NEW_PASSWORD);
  });

  it('stays ended for a request that read the session before the change and saves it after', async () => {
    const partner = await createPartner(t.em());
    const person = await createMember(t.em(), partner, { role: 'member' });
    const here = t.agent();
    const there = t.agent();
    await signIn(here, person.email, person.password);
    const cookie = (await signIn(there, person.email, person.password)).headers['set-cookie'] as unknown as string[];
    const signed = decodeURIComponent(/hub\.sid=([^;]+)/.exec(cookie.join(';'))![1]);
    const sid = signed.slice(2, signed.lastIndexOf('.'));
    // A second store, as the app makes its own: the request of `there` in another process.
    const config = t.app.get<AppConfig>(APP_CONFIG);
    const store = new DbSessionStore(t.app.get(MikroORM).em, t.app.get(Sql), t.clock, {
      idleMs: config.session.idleMs,
      absoluteMs: config.session.absoluteMs,
      anonymousMs: config.retention.anonymousSessionMs,
    });
    const read = (await promisify(store.get.bind(store))(sid)) as SessionData;
    expect(read).toMatchObject({ passport: { user: person.user.id } });

    const changed = await postForm(
      here,
      '/profile/password',
      { current: person.password, password: NEW_PASSWORD, confirm: NEW_PASSWORD },
      '/profile',
    );
    expect(changed.status).toBe(303);
    // The request ends and saves the session it changed (a flash shown, say).
    await promisify(store.set.bind(store))(sid, { ...read, flash: undefined } as SessionData);
    expect(await t.em().count(SessionRecord, { sid })).toBe(0);
    expect((await there.get('/profile')).headers.location).toBe('/login?next=%2Fprofile');

    // A session under an id the store issued is stored as before.
    const fresh = store.newId();
    await promisify(store.set.bind(store))(fresh, { ...read } as SessionData);
    expect(await t.em().count(SessionRecord, { sid: fresh })).toBe(1);
  });
});
