import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditService } from '../../src/audit/audit.service';
import { newId } from '../../src/common/ids';
import type { Partner } from '../../src/partners/entities/partner.entity';
import { createTestApp, type TestApp } from '../support/app';
import { HOSTILE_ENCODED } from '../support/hostile';
import { postForm, signIn } from '../support/http';
import { createMember, createPartner, type MemberFixture } from '../factories';

/** An href as the page wrote it, as a browser reads it. */
const unescaped = (href: string) => href.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');

/** The actions column of the activity table, top to bottom. */
const rowsOf = (html: string) => [...html.matchAll(/<li class="activity-event">[\s\S]*?<\/li>/g)].map((m) => m[0]);

describe('the Activity page', () => {
  let t: TestApp;
  let partner: Partner;
  let owner: MemberFixture;
  let member: MemberFixture;
  let agent: ReturnType<TestApp['agent']>;

  beforeAll(async () => {
    t = await createTestApp();
    partner = await createPartner(t.em(), { name: 'Soylent' });
    owner = await createMember(t.em(), partner, { role: 'owner', name: 'Olive <b>Owner</b>' });
    member = await createMember(t.em(), partner, { role: 'member', name: 'Mike Member' });
    const other = await createPartner(t.em(), { name: 'Elsewhere' });
    // 60 events of another kind, a minute apart, and one from another partner that must never show.
    const audit = t.app.get(AuditService);
    const em = t.em();
    for (let i = 0; i < 60; i++) {
      t.clock.advance(60_000);
      audit.record(em, {
        action: 'export.downloaded',
        partnerId: partner.id,
        actor: { id: member.user.id, name: 'Mike Member', email: member.email },
      });
    }
    audit.record(em, { action: 'export.downloaded', partnerId: other.id, data: { secret: 'other-partner-event' } });
    await em.flush();
    t.clock.advance(60_000);
    agent = t.agent();
    await signIn(agent, owner.email, owner.password);
  });
  afterAll(() => t.close());

  it('shows the partner’s trail newest first: who, what, when and from which IP, escaped', async () => {
    const res = await agent.get('/activity');
    expect(res.status).toBe(200);
    const rows = rowsOf(res.text);
    expect(rows).toHaveLength(50);
    expect(rows[0]).toContain('signed in from');
    expect(rows[0]).toContain('Olive &lt;b&gt;Owner&lt;/b&gt;');
    expect(rows[0]).toMatch(/127\.0\.0\.1|::ffff:127\.0\.0\.1/);
    const times = rows.map((r) => /datetime="([^"]+)"/.exec(r)![1]);
    expect([...times].sort().reverse()).toEqual(times);
    expect(res.text).not.toContain('other-partner-event');
  });

  it('pages with a keyset cursor: the next page starts right after the last row, with no overlap', async () => {
    const first = await agent.get('/activity');
    const next = /href="(\/activity\?[^"]+)" rel="next"/
      .exec(first.text)![1]
      .replace(/&#x3D;/g, '=')
      .replace(/&amp;/g, '&');
    const second = await agent.get(next);
    const a = rowsOf(first.text);
    const b = rowsOf(second.text);
    expect(a.length + b.length).toBe(61);
    expect(b.some((r) => a.includes(r) && r.includes('datetime'))).toBe(false);
    expect(second.text).not.toContain('rel="next"');
  });

  it('takes a page link no pager made back to the newest of the same filters, with 422: never a 400, nor a 500 on PostgreSQL', async () => {
    const cursor = (text: string) => Buffer.from(text).toString('base64url');
    const id = newId();
    const broken = [
      'garbage',
      // PostgreSQL has no year 0; Date reads 30 February as 2 March; no year past 9999 was written.
      cursor(`0000-01-01T00:00:00.000Z|${id}`),
      cursor(`2026-02-30T00:00:00.000Z|${id}`),
      cursor(`+275760-09-13T00:00:00.000Z|${id}`),
      cursor(`2026-01-01T00:00:00.000Z\u0000|${id}`),
      cursor(`2026-01-01T00:00:00.000Z|${id}|more`),
      `${cursor(`2026-01-01T00:00:00.000Z|${id}`)}&after=${cursor(`2026-01-02T00:00:00.000Z|${id}`)}`,
      // A NUL byte too: a page reads its own query (common/sanitize.ts).
      ...HOSTILE_ENCODED,
    ];
    for (const after of broken) {
      const res = await agent.get(`/activity?kind=team&after=${after}`);
      expect(res.status, after).toBe(422);
      expect(res.text).toContain('<p class="field-error" id="after-error">This page link is not valid. Start again from the newest.</p>');
      expect(res.text).toContain('<a href="/activity?kind&#x3D;team">Newest</a>');
      expect(res.text).toContain('<option value="team" selected>');
      expect(rowsOf(res.text)).toEqual([]);
    }
  });

  it('filters by kind and by person', async () => {
    const byAction = await agent.get('/activity?kind=auth.signed_in');
    expect(rowsOf(byAction.text)).toHaveLength(1);
    const byPerson = await agent.get(`/activity?person=${member.user.id}`);
    const rows = rowsOf(byPerson.text);
    expect(rows).toHaveLength(50);
    expect(rows.every((r) => r.includes('Mike Member'))).toBe(true);
    expect(byPerson.text).toMatch(new RegExp(`<option value="${member.user.id}" selected>`));
  });

  it('leads back from an event to the list it was opened from, its filters and page kept', async () => {
    const first = await agent.get(`/activity?person=${member.user.id}&to=2030-12-31`);
    const older = unescaped(/href="(\/activity\?[^"]+)" rel="next"/.exec(first.text)![1]);
    expect(older).toContain('after=');
    const list = await agent.get(older);
    const details = unescaped(/<a class="activity-details" href="([^"]+)"/.exec(list.text)![1]);
    const [path, back] = details.split('?back=');
    expect(path).toMatch(/^\/activity\/[\w-]{22}$/);
    expect(decodeURIComponent(back)).toBe(older);
    const event = await agent.get(details);
    expect(event.status).toBe(200);
    const backHref = unescaped(/<a href='([^']+)'>Back to Activity<\/a>/.exec(event.text)![1]);
    expect(backHref).toBe(older);
    const again = await agent.get(backHref);
    expect(rowsOf(again.text)).toEqual(rowsOf(list.text));
    expect(again.text).toMatch(new RegExp(`<option value="${member.user.id}" selected>`));

    // The unfiltered list links its events plainly, and they lead back to it.
    const plain = await agent.get('/activity');
    const plainDetails = /<a class="activity-details" href="([^"]+)"/.exec(plain.text)![1];
    expect(plainDetails).toMatch(/^\/activity\/[\w-]{22}$/);
    expect((await agent.get(plainDetails)).text).toContain(`<a href='/activity'>Back to Activity</a>`);
  });

  it('leads back to the plain list from an event whose way back is not an Activity list of this site', async () => {
    const id = /<a class="activity-details" href="\/activity\/([\w-]{22})"/.exec((await agent.get('/activity')).text)![1];
    const hostile = [
      'https%3A%2F%2Fevil.example%2Factivity',
      '%2F%2Fevil.example%2Factivity',
      '%2F%5Cevil.example',
      '%2Factivity%2F..%2F%2Fevil.example',
      '%2Factivity%2F..%2Faccounts',
      '%2Faccounts%3Fq%3D1',
      '%2Factivityx',
      '%2Factivity%2F' + id,
      'javascript%3Aalert(1)',
      '%2Factivity%0D%0ALocation%3A%20%2F%2Fevil.example',
      '%2Factivity&back=%2Factivity%3Fkind%3Dteam',
      // A NUL byte too: a page reads its own query (common/sanitize.ts).
      ...HOSTILE_ENCODED,
    ];
    for (const back of hostile) {
      const res = await agent.get(`/activity/${id}?back=${back}`);
      expect(res.status, back).toBe(200);
      expect(res.text, back).toContain(`<a href='/activity'>Back to Activity</a>`);
    }
  });

  it('leaves the sign-ins and sign-outs out on request, and keeps the failed ones', async () => {
    const failing = t.agent();
    expect((await postForm(failing, '/login', { email: owner.email, password: 'wrong password' })).status).toBe(422);
    const all = rowsOf((await agent.get('/activity')).text);
    expect(all.some((r) => r.includes('signed in from'))).toBe(true);
    const page = await agent.get('/activity?kind=all-but-sign-ins');
    expect(page.text).toContain('<option value="all-but-sign-ins" selected>Everything but sign-ins and sign-outs</option>');
    const rows = rowsOf(page.text);
    expect(rows).toHaveLength(50);
    expect(rows.filter((r) => r.includes('signed in from'))).toEqual([]);
    expect(rows[0]).toContain('with a wrong password');
    expect(rows.slice(1).every((r) => r.includes('Mike Member'))).toBe(true);
  });

  it('re-renders the filters with 422 and the date’s error, not “no activity”, when a range ends before it starts or a date is none', async () => {
    const backwards = await agent.get('/activity?kind=team&from=2026-12-01&to=2026-11-01');
    expect(backwards.status).toBe(422);
    expect(backwards.text).toContain('<title>Error: Activity');
    expect(backwards.text).toMatch(
      /<input id="to" name="to" type="date" value="2026-11-01" aria-invalid="true" aria-describedby="to-error">/,
    );
    expect(backwards.text).toContain('<p class="field-error" id="to-error">The end date is before the start date.</p>');
    expect(backwards.text).toContain('value="2026-12-01"');
    expect(backwards.text).toContain('<option value="team" selected>');
    expect(backwards.text).toContain('Correct the filters marked above to see the activity.');
    expect(backwards.text).not.toContain('No activity matches');
    expect(rowsOf(backwards.text)).toEqual([]);

    const impossible = await agent.get('/activity?from=2026-02-30');
    expect(impossible.status).toBe(422);
    expect(impossible.text).toContain('<p class="field-error" id="from-error">Enter a date such as 2026-11-30.</p>');
    expect(impossible.text).not.toContain('No activity matches');
  });

  it('re-renders with 422 and the field’s error for a person the log does not name, another partner’s alike, or an unknown kind, the other filters kept', async () => {
    const elsewhere = await createPartner(t.em(), { name: 'Initech' });
    const stranger = await createMember(t.em(), elsewhere, { role: 'owner', name: 'Stan Stranger' });
    const em = t.em();
    t.app.get(AuditService).record(em, {
      action: 'team.joined',
      partnerId: elsewhere.id,
      actor: { id: stranger.user.id, name: 'Stan Stranger', email: stranger.email },
    });
    await em.flush();

    const nobody = await agent.get(`/activity?person=${newId()}&kind=team&from=2026-01-01`);
    expect(nobody.status).toBe(422);
    expect(nobody.text).toContain('<title>Error: Activity');
    expect(nobody.text).toContain('<select id="person" name="person" aria-invalid="true" aria-describedby="person-error">');
    expect(nobody.text).toContain(
      '<p class="field-error" id="person-error">This person is not in your Activity. Choose one from the list.</p>',
    );
    expect(nobody.text).toContain('<option value="team" selected>');
    expect(nobody.text).toContain('value="2026-01-01"');
    expect(rowsOf(nobody.text)).toEqual([]);
    // Another partner's person reads exactly as nobody at all.
    const theirs = await agent.get(`/activity?person=${stranger.user.id}&kind=team&from=2026-01-01`);
    expect(theirs.status).toBe(422);
    expect(theirs.text).toBe(nobody.text);
    expect(theirs.text).not.toContain('Stan Stranger');

    const unknownKind = await agent.get(`/activity?person=${member.user.id}&kind=auth.nothing&to=2026-12-31`);
    expect(unknownKind.status).toBe(422);
    expect(unknownKind.text).toContain('<select id="kind" name="kind" aria-invalid="true" aria-describedby="kind-error">');
    expect(unknownKind.text).toContain(
      '<p class="field-error" id="kind-error">This kind of event is not known. Choose one from the list.</p>',
    );
    expect(unknownKind.text).toMatch(new RegExp(`<option value="${member.user.id}" selected>`));
    expect(unknownKind.text).toContain('value="2026-12-31"');

    const twice = await agent.get('/activity?kind=team&kind=team&from=2026-01-01&from=2026-01-02');
    expect(twice.status).toBe(422);
    expect(twice.text).toContain('<p class="field-error" id="kind-error">Choose one kind of event.</p>');
    expect(twice.text).toContain('<p class="field-error" id="from-error">Enter one date.</p>');
  });

  it('answers every hostile value of every filter with the page and that field’s error, never a 400 or a 500', async () => {
    for (const key of ['person', 'kind', 'from', 'to'])
      for (const value of HOSTILE_ENCODED) {
        const res = await agent.get(`/activity?${key}=${value}`);
        expect(res.status, `${key}=${value}`).toBe(422);
        expect(res.text, `${key}=${value}`).toContain(`<p class="field-error" id="${key}-error">`);
      }
  });

  it('keeps the person asked for among the choices when more than a thousand people are in the log', async () => {
    const busy = await createPartner(t.em(), { name: 'Busy' });
    const boss = await createMember(t.em(), busy, { role: 'owner' });
    const audit = t.app.get(AuditService);
    const ada = { id: newId(), name: 'Ada Early', email: 'ada@busy.example' };
    const before = new Date(t.clock.now().getTime() - 86_400_000);
    await audit.recordMany(t.em(), [{ action: 'auth.signed_in', partnerId: busy.id, actor: ada }], before);
    const crowd = Array.from({ length: 1000 }, (_, i) => ({
      action: 'auth.signed_in',
      partnerId: busy.id,
      actor: { id: newId(), name: `Person ${i}`, email: `p${i}@busy.example` },
    }));
    await audit.recordMany(t.em(), crowd, t.clock.now());
    const a = t.agent();
    await signIn(a, boss.email, boss.password);
    const res = await a.get(`/activity?person=${ada.id}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`<option value="${ada.id}" selected>Ada Early (ada@busy.example)</option>`);
    expect(rowsOf(res.text)).toHaveLength(1);
  });

  it('is for owners only: a member gets 403', async () => {
    const m = t.agent();
    await signIn(m, member.email, member.password);
    expect((await m.get('/activity')).status).toBe(403);
    expect((await m.get('/users')).text).not.toContain('href="/activity"');
  });
});
