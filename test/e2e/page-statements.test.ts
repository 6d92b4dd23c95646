import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Partner } from '../../src/partners/entities/partner.entity';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createNumber } from '../factories/accounts';
import { createTestApp, type TestApp } from '../support/app';
import { signIn } from '../support/http';
import { statementsOf } from '../support/statements';

/**
 * What a signed-in page sends to the database: on PostgreSQL each statement is a round trip and
 * a plan, so the reads every page makes are counted here, on both databases.
 */
describe('statements a page sends', () => {
  let t: TestApp;
  let partner: Partner;
  let member: MemberFixture;
  let agent: ReturnType<TestApp['agent']>;

  beforeAll(async () => {
    t = await createTestApp();
    partner = await createPartner(t.em(), { name: 'Counted Reads' });
    member = await createMember(t.em(), partner);
    agent = t.agent();
    await signIn(agent, member.email, member.password);
  });
  afterAll(() => t.close());

  it('reads the session with the member’s memberships, and a number with its history, in one statement each', async () => {
    const number = await createNumber(t.em(), partner, { status: 'error' });
    expect((await agent.get(`/accounts/${number.id}`)).status).toBe(200);

    let status = 0;
    const sent = await statementsOf(async () => {
      status = (await agent.get(`/accounts/${number.id}`)).status;
    });
    expect(status).toBe(200);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatch(/from session s[\s\S]*join membership m/);
    expect(sent[1]).toMatch(/number_status_change[\s\S]*from whatsapp_number n/);
  });

  it('still reads the memberships on every request: a second partner shows at once in the switcher', async () => {
    const page = async () => (await agent.get('/accounts')).text;
    expect(await page()).not.toContain('Second Partner Of Counted');
    const other = await createPartner(t.em(), { name: 'Second Partner Of Counted' });
    await createMember(t.em(), other, { user: member.user });
    expect(await page()).toContain('Second Partner Of Counted');
  });
});
