import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SessionRecord } from '../../src/auth/entities/session.entity';
import { HousekeepingService } from '../../src/housekeeping/housekeeping.service';
import { createTestApp, type TestApp } from '../support/app';
import { HOUR, MINUTE } from '../support/clock';
import { csrfFrom, signIn } from '../support/http';
import { createMember, createPartner, type MemberFixture } from '../factories';

const ANONYMOUS_MINUTES = 10; // shorter than the 30-minute idle limit, to tell them apart

describe('sessions of visitors who are not signed in', () => {
  let t: TestApp;
  let owner: MemberFixture;

  beforeAll(async () => {
    t = await createTestApp({ env: { ANONYMOUS_SESSION_MINUTES: String(ANONYMOUS_MINUTES) } });
    owner = await createMember(t.em(), await createPartner(t.em()));
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    t.clock.set('2026-11-26T10:00:00Z');
    await t.em().nativeDelete(SessionRecord, {});
  });

  const sessions = () => t.em().find(SessionRecord, {});
  const housekeeping = () => t.app.get(HousekeepingService).run(t.clock.now());
  /** When a row stops being a session: its idle or its absolute expiry, whichever comes first. */
  const endOf = (row: SessionRecord) => Math.min(row.expiresAt.getTime(), row.absoluteExpiresAt.getTime());

  it('stores one short-lived session per sign-in form shown, which housekeeping deletes once expired', async () => {
    const shownAt = t.clock.now().getTime();
    for (let i = 0; i < 20; i++) {
      const page = await t.http().get('/login');
      expect(page.status).toBe(200);
      csrfFrom(page.text);
    }
    const rows = await sessions();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(20);
    for (const row of rows) {
      expect(row.userId).toBeNull();
      expect(endOf(row)).toBeLessThanOrEqual(shownAt + ANONYMOUS_MINUTES * MINUTE);
    }

    t.clock.advance((ANONYMOUS_MINUTES - 1) * MINUTE);
    expect(await housekeeping()).toMatchObject({ sessions: 0 });
    expect(await sessions()).toHaveLength(rows.length);

    t.clock.advance(2 * MINUTE);
    expect(await housekeeping()).toMatchObject({ sessions: rows.length });
    expect(await sessions()).toEqual([]);
  });

  it('keeps one session for a browser that shows the sign-in form again and again', async () => {
    const agent = t.agent();
    const tokens = new Set<string>();
    for (let i = 0; i < 5; i++) tokens.add(csrfFrom((await agent.get('/login')).text));
    expect(tokens.size).toBe(1);
    expect(await sessions()).toHaveLength(1);
  });

  it('pushes an anonymous session forward while it is used, by the anonymous limit only', async () => {
    const agent = t.agent();
    const token = csrfFrom((await agent.get('/login')).text);
    for (let i = 0; i < 3; i++) {
      t.clock.advance((ANONYMOUS_MINUTES - 2) * MINUTE);
      expect(csrfFrom((await agent.get('/login')).text)).toBe(token);
      const [row] = await sessions();
      expect(endOf(row)).toBeLessThanOrEqual(t.clock.now().getTime() + ANONYMOUS_MINUTES * MINUTE);
    }
    t.clock.advance((ANONYMOUS_MINUTES + 1) * MINUTE);
    expect(csrfFrom((await agent.get('/login')).text)).not.toBe(token);
    expect(await sessions()).toHaveLength(1);
  });

  it('stores no session for the health checks', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const res = await t.http().get(path);
      expect(res.status).toBe(200);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(await sessions()).toEqual([]);
  });

  // Needs the csrfToken local in app.setup.ts to be read only by a template that shows it:
  // today express copies res.locals when any page renders, which calls its getter.
  it('stores no session for a page without a form (a 404)', async () => {
    const res = await t.http().get('/no-such-page');
    expect(res.status).toBe(404);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await sessions()).toEqual([]);
  });

  it('keeps a reset link from the URL in an anonymous session with the anonymous limit', async () => {
    const res = await t.http().get(`/password/reset/${'a'.repeat(43)}`);
    expect(res.status).toBe(303);
    const [row] = await sessions();
    expect(JSON.parse(row.data).pendingToken).toMatch(/^reset:/);
    expect(row.userId).toBeNull();
    expect(endOf(row)).toBeLessThanOrEqual(t.clock.now().getTime() + ANONYMOUS_MINUTES * MINUTE);
  });

  it('gives a signed-in session a new id and the normal idle and absolute limits', async () => {
    const agent = t.agent();
    await signIn(agent, owner.email, owner.password);
    const rows = await sessions();
    // The sign-in form's anonymous session is gone with its id.
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row.userId).toBe(owner.user.id);
    const signedInAt = t.clock.now().getTime();
    expect(row.expiresAt.getTime()).toBe(signedInAt + t.config.session.idleMs);
    expect(row.absoluteExpiresAt.getTime()).toBe(signedInAt + t.config.session.absoluteMs);

    t.clock.advance((ANONYMOUS_MINUTES + 1) * MINUTE);
    expect(await housekeeping()).toMatchObject({ sessions: 0 });
    expect((await agent.get('/accounts')).status).toBe(200);
    expect(t.config.session.idleMs).toBeGreaterThan((ANONYMOUS_MINUTES + 1) * MINUTE);

    t.clock.advance(t.config.session.idleMs + HOUR);
    expect(await housekeeping()).toMatchObject({ sessions: 1 });
    expect(await sessions()).toEqual([]);
  });
});
