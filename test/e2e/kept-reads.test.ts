import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountsService, COUNT_TTL_MS } from '../../src/accounts/accounts.service';
import { KEEP_VIEW_MS } from '../../src/accounts/list-preferences.service';
import { parseNumberFilter } from '../../src/accounts/number-filter';
import { KEEP_SUMMARY_MS, NumberSummaries } from '../../src/accounts/number-summaries.service';
import { AuditEvent } from '../../src/audit/entities/audit-event.entity';
import { Sql } from '../../src/database/sql';
import { EXPORT_AUDIT_ACTION, NOTICE_READ_EVERY_MS } from '../../src/exports/export-budget.service';
import type { Partner } from '../../src/partners/entities/partner.entity';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createNumber } from '../factories/accounts';
import { createTestApp, type TestApp } from '../support/app';
import { csrfFrom, signIn } from '../support/http';
import { statementsOf } from '../support/statements';

/**
 * What the list page keeps per process instead of reading it on every view: the person's
 * layout, their recent downloads and the partner's stored counts. A change written by another process (here: straight into
 * the database, as another instance would) shows once the kept copy expires; one made
 * through this process shows at once.
 */
describe('reads the list keeps for a while', () => {
  let t: TestApp;
  let partner: Partner;
  let member: MemberFixture;
  let agent: ReturnType<TestApp['agent']>;

  beforeAll(async () => {
    t = await createTestApp({ env: { EXPORT_ROWS_PER_HOUR: '10' } });
    t.clock.set('2026-11-27T15:00:00Z');
    partner = await createPartner(t.em(), { name: 'Kept Reads' });
    for (let i = 0; i < 3; i++) await createNumber(t.em(), partner, { status: i === 0 ? 'error' : 'running' });
    member = await createMember(t.em(), partner);
    agent = t.agent();
    await signIn(agent, member.email, member.password);
  });
  afterAll(() => t.close());

  const layoutShown = async () => {
    const page = await agent.get('/accounts');
    expect(page.status).toBe(200);
    return /aria-pressed="true">(Table|Cards)<\/button>/.exec(page.text)?.[1];
  };

  it('shows a layout chosen in another process within KEEP_VIEW_MS, and one chosen here at once', async () => {
    expect(await layoutShown()).toBe('Table');
    await t.app
      .get(Sql)
      .run(`insert into number_list_preference (id, created_at, updated_at, user_id, view) values (?, ?, ?, ?, 'cards')`, [
        'kEptReAdSpReFeReNcE01',
        t.clock.now(),
        t.clock.now(),
        member.user.id,
      ]);
    expect(await layoutShown()).toBe('Table');
    t.clock.advance(KEEP_VIEW_MS + 1);
    expect(await layoutShown()).toBe('Cards');

    const page = await agent.get('/accounts');
    const res = await agent
      .post('/accounts/layout')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), layout: 'table', return: '/accounts' });
    expect(res.status).toBe(303);
    expect(await layoutShown()).toBe('Table');
  });

  it('tells of downloads recorded by another process within NOTICE_READ_EVERY_MS', async () => {
    const list = async () => (await agent.get('/accounts')).text;
    expect(await list()).not.toContain('more row');
    const event = new AuditEvent(EXPORT_AUDIT_ACTION, member.user.name);
    event.partnerId = partner.id;
    event.actorId = member.user.id;
    event.data = { rows: 9, completed: true };
    event.createdAt = t.clock.now();
    await t.em().persist(event).flush();
    expect(await list()).not.toContain('more row');
    t.clock.advance(NOTICE_READ_EVERY_MS + 1);
    expect(await list()).toContain('You can download 1 more row until');
    // A download here is seen at once: its one row was the last.
    expect((await agent.get('/accounts/export.csv?lifecycle=error').buffer(true)).status).toBe(200);
    expect(await list()).toContain('the most allowed');
  });

  it('counts a filter once for all the pages that find its count out of date together', async () => {
    const accounts = t.app.get(AccountsService);
    const filter = parseNumberFilter({ lifecycle: 'error' });
    const countsWhile = async (fn: () => Promise<unknown>) =>
      (await statementsOf(fn)).filter((s) => /\bcount\(\*\)/i.test(s) && /\bwhatsapp_number\b/.test(s)).length;
    const pages = () => Promise.all(Array.from({ length: 8 }, () => accounts.count(partner.id, filter)));

    let answers: unknown[] = [];
    expect(await countsWhile(async () => (answers = await pages()))).toBe(1);
    expect(answers.every((a) => (a as { total: number }).total === 1)).toBe(true);
    expect(await countsWhile(pages)).toBe(0);
    t.clock.advance(COUNT_TTL_MS + 1);
    expect(await countsWhile(pages)).toBe(1);
  });

  it('shows counts recounted in another process within KEEP_SUMMARY_MS, and a recount here at once', async () => {
    const total = async () => /Numbers: <strong>([\d,]+)<\/strong>/.exec((await agent.get('/accounts')).text)?.[1];
    expect(await total()).toBe('3');
    // The jobs process recounted after an import elsewhere: only the stored row changed.
    await t.app.get(Sql).run('update number_summary set total = 7 where partner_id = ?', [partner.id]);
    expect(await total()).toBe('3');
    t.clock.advance(KEEP_SUMMARY_MS + 1);
    expect(await total()).toBe('7');
    // A number added and recounted in this process.
    await createNumber(t.em(), partner);
    await t.app.get(NumberSummaries).refresh([partner.id]);
    expect(await total()).toBe('4');
  });
});
