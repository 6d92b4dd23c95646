import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WhatsappNumber } from '../../src/accounts/entities/whatsapp-number.entity';
import { Sql, sqlBoolean, sqlDate, SqlOutsideTransactionError } from '../../src/database/sql';
import { createMember, createPartner } from '../factories';
import { createNumber } from '../factories/accounts';
import { createTestApp, type TestApp } from '../support/app';
import { onPostgres } from '../support/database';
import { signIn } from '../support/http';

describe(`hand-written queries (Sql) on ${onPostgres() ? 'PostgreSQL' : 'SQLite'}`, () => {
  let t: TestApp;
  let sql: Sql;

  beforeAll(async () => {
    // One connection on PostgreSQL too: what the page reads leave on the server is on the one the test asks.
    t = await createTestApp({ env: { DB_POOL_MAX: '1' } });
    sql = t.app.get(Sql);
  });
  afterAll(() => t?.close());

  it('takes dates and booleans as parameters and gives them back as the ORM wrote them', async () => {
    const partner = await createPartner(t.em());
    const changedAt = new Date('2026-11-20T08:30:15.123Z');
    const number = await createNumber(t.em(), partner, { statusChangedAt: changedAt, ivr: true });
    const read = (before: Date, ivr: boolean) =>
      sql.all<{ status_changed_at: unknown; ivr: unknown }>(
        'select status_changed_at, ivr from whatsapp_number where id = ? and status_changed_at < ? and ivr = ?',
        [number.id, before, ivr],
      );

    const [row] = await read(new Date(changedAt.getTime() + 1), true);
    expect(sqlDate(row.status_changed_at).toISOString()).toBe('2026-11-20T08:30:15.123Z');
    expect(sqlBoolean(row.ivr)).toBe(true);
    expect(await read(changedAt, true)).toEqual([]);
    expect(await read(new Date(changedAt.getTime() + 1), false)).toEqual([]);
    // Text with quotes, backslashes and question marks is a value, never SQL.
    expect(await sql.all('select id from whatsapp_number where display_name = ?', ["x' or '1'='1 \\ ?"])).toEqual([]);
  });

  it('runs inside the transaction it is given, and refuses at once inside one it is not given', async () => {
    const partner = await createPartner(t.em());
    const count = (tx?: Parameters<Sql['all']>[2]) =>
      sql.all<{ n: unknown }>('select count(*) as n from whatsapp_number where partner_id = ?', [partner.id], tx);
    await t
      .em()
      .transactional(async (tx) => {
        await createNumber(tx, partner);
        expect(Number((await count(tx))[0].n)).toBe(1);
        // On SQLite the transaction holds the only connection: this would wait for it forever.
        await expect(count()).rejects.toThrow(SqlOutsideTransactionError);
        await expect(sql.run('delete from whatsapp_number where partner_id = ?', [partner.id])).rejects.toThrow(/pass the transaction/);
        throw new Error('roll back');
      })
      .catch((err: Error) => expect(err.message).toBe('roll back'));
    expect(Number((await count())[0].n)).toBe(0);
  });

  it('says how many rows a write changed', async () => {
    const partner = await createPartner(t.em());
    await createNumber(t.em(), partner, { displayName: 'Before' });
    await createNumber(t.em(), partner, { displayName: 'Before' });
    expect(await sql.run('update whatsapp_number set display_name = ? where partner_id = ?', ['After', partner.id])).toBe(2);
    expect(await t.em().count(WhatsappNumber, { partner, displayName: 'After' })).toBe(2);
  });

  /** The page reads of a signed-in person: the list, a number's details, a search. */
  const readPages = async (app: TestApp) => {
    const partner = await createPartner(app.em());
    const number = await createNumber(app.em(), partner);
    const member = await createMember(app.em(), partner);
    const agent = app.agent();
    await signIn(agent, member.email, member.password);
    expect((await agent.get('/accounts')).status).toBe(200);
    expect((await agent.get(`/accounts/${number.id}`)).status).toBe(200);
    expect((await agent.get('/accounts').query({ attention: '1', q: 'Support' })).status).toBe(200);
    return app.app.get(Sql).all<{ statement: string }>('select statement from pg_prepared_statements');
  };

  it.runIf(onPostgres())('prepares the reads by key on the connection (session, number), and no list read', async () => {
    const prepared = (await readPages(t)).map((r) => r.statement);
    expect(prepared).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/from session s\b/),
        expect.stringMatching(/number_status_change[\s\S]*where n\.id = \$2/),
      ]),
    );
    // Each one a read by a key: nothing a filter or a search writes.
    for (const statement of prepared)
      expect(statement).toMatch(/where (s\.sid = \$1|n\.id = \$\d+ and n\.partner_id = \$\d+|key_id = \$1)\b/);
  });

  it.runIf(onPostgres())(
    'leaves no prepared statement on the server with DB_PREPARED_STATEMENTS=false (works behind any transaction-mode pooler)',
    async () => {
      const plain = await createTestApp({ env: { DB_POOL_MAX: '1', DB_PREPARED_STATEMENTS: 'false' } });
      try {
        expect(await readPages(plain)).toEqual([]);
      } finally {
        await plain.close();
      }
    },
  );
});
