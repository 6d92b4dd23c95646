import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuditEvent } from '../../src/audit/entities/audit-event.entity';
import { UserToken } from '../../src/auth/entities/user-token.entity';
import { runCli } from '../../src/cli/program';
import { canonicalEmail } from '../../src/common/email';
import { migrateUp, pendingMigrations } from '../../src/database/migrations';
import { newId } from '../../src/common/ids';
import { MailWorker } from '../../src/mail/mail-worker.service';
import { OutboxEmail } from '../../src/mail/entities/outbox-email.entity';
import { Partner } from '../../src/partners/entities/partner.entity';
import { Membership } from '../../src/auth/entities/membership.entity';
import { User } from '../../src/auth/entities/user.entity';
import { createMember, createPartner, type MemberFixture } from '../factories';
import { createTestApp, createTestAppWithSmtp, type TestApp } from '../support/app';
import { postForm, signIn } from '../support/http';
import type { TestSmtp } from '../support/smtp';

const ZOE = 'zo\u00e9@example.com'; // composed "é"
const ZOE_DECOMPOSED = 'Zoe\u0301@Example.com'; // "e" + combining acute, other case
const FOLD_MIGRATION = 'Migration20261130100000';

const INVISIBLE = 'Email must not contain invisible characters such as zero-width spaces.';
const DIRECTION = 'Email must not contain text-direction characters.';
const MIXED = 'Email must not mix Latin, Cyrillic or Greek letters before the @.';

describe('one canonical email address per person', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  let partner: Partner;
  let owner: MemberFixture;
  let zoe: MemberFixture;
  let ownerAgent: ReturnType<TestApp['agent']>;
  // Some work runs after the answer (a forgotten-password request): wait for it, then send.
  const send = () => t.settled().then(() => t.app.get(MailWorker).sendDue(t.clock.now()));
  const counts = async () => ({
    users: await t.em().count(User, {}),
    memberships: await t.em().count(Membership, {}),
    outbox: await t.em().count(OutboxEmail, {}),
    audit: await t.em().count(AuditEvent, { action: { $like: 'team.%' } }),
  });
  // The test SMTP server shows IDNA domains in Unicode ("bücher"): compare canonical forms.
  const deliveredTo = (address: string) => smtp.messages.filter((m) => m.to.map(canonicalEmail).includes(address));
  const invite = (fields: Record<string, string>) => postForm(ownerAgent, '/users', fields, '/users/new');
  const forgot = (email: string) => postForm(t.agent(), '/password/forgot', { email });

  /** Runs an operator command against the test app's database; returns its exit code and output. */
  async function cli(...argv: string[]) {
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    const err = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    try {
      const env = {
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        SMTP_URL: smtp.url,
        APP_BASE_URL: t.config.baseUrl,
        ...(t.config.database.url ? { DATABASE_URL: t.config.database.url } : { SQLITE_PATH: t.config.database.sqlitePath }),
      };
      return { code: await runCli(argv, env), out: out.join('\n') };
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  }

  beforeAll(async () => {
    ({ t, smtp } = await createTestAppWithSmtp());
    partner = await createPartner(t.em(), { name: 'Canonical Partners' });
    owner = await createMember(t.em(), partner, { role: 'owner', name: 'Olga Owner' });
    zoe = await createMember(t.em(), partner, { role: 'member', name: 'Zoé Member', email: ZOE });
    ownerAgent = t.agent();
    await signIn(ownerAgent, owner.email, owner.password);
  });
  afterAll(() => t.close());

  it('re-renders the invite form with 422 for the decomposed "Zoé@Example.com" when "zoé@example.com" is on the team', async () => {
    const before = await counts();
    const res = await invite({ name: 'Zoé Again', email: ZOE_DECOMPOSED, role: 'owner' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('This email is already on the team.');
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['a zero-width space', 'zo\u200b\u00e9@example.com', INVISIBLE],
    ['a right-to-left override', 'olga\u202e@example.com', DIRECTION],
    ['a Cyrillic "а" among Latin letters', '\u0430dmin@example.com', MIXED],
  ])(
    're-renders the invite form with 422 and the reason beside the email for %s, writing and sending nothing',
    async (_case, email, sentence) => {
      const before = await counts();
      const res = await invite({ name: 'Mallory', email, role: 'owner' });
      expect(res.status).toBe(422);
      expect(res.text).toContain(`<p class="field-error" id="email-error">${sentence}</p>`);
      expect(res.text).toContain('value="Mallory"');
      expect(await counts()).toEqual(before);
      await send();
      expect(smtp.messages.filter((m) => m.to.some((to) => /mallory|admin|olga\u202e|\u200b/i.test(to)))).toHaveLength(0);
    },
  );

  it('invites a person under the canonical address: lower case, NFC, the domain in ASCII', async () => {
    const res = await invite({ name: 'Kim Bücher', email: ' KIM@Bu\u0308cher.Example ', role: 'member' });
    expect(res.status).toBe(303);
    const user = await t.em().findOneOrFail(User, { email: 'kim@xn--bcher-kva.example' });
    expect(await t.em().count(Membership, { partner, user })).toBe(1);
    await send();
    expect(await t.em().count(OutboxEmail, { toAddress: 'kim@xn--bcher-kva.example', template: 'invitation', status: 'sent' })).toBe(1);
    expect(deliveredTo('kim@xn--bcher-kva.example')).toHaveLength(1);
  });

  it('sends the reset link to the person whose address was typed decomposed and in other case', async () => {
    const before = await t.em().count(OutboxEmail, { toAddress: ZOE, template: 'password_reset' });
    const res = await forgot(ZOE_DECOMPOSED);
    expect(res.status).toBe(303);
    await t.settled();
    expect(await t.em().count(OutboxEmail, { toAddress: ZOE, template: 'password_reset' })).toBe(before + 1);
    expect(await t.em().count(UserToken, { user: zoe.user, kind: 'password_reset' })).toBe(1);
  });

  it('sends the reset link to the person whose address was typed with a Unicode domain', async () => {
    const partner2 = await createPartner(t.em());
    const lee = await createMember(t.em(), partner2, { role: 'member', email: 'lee@xn--bcher-kva.example' });
    expect((await forgot('Lee@BÜCHER.example')).status).toBe(303);
    await send();
    expect(await t.em().count(OutboxEmail, { toAddress: lee.email, template: 'password_reset', status: 'sent' })).toBe(1);
    expect(deliveredTo(lee.email)).toHaveLength(1);
  });

  it('refuses a forgotten-password request with a zero-width space with 422, sending nothing', async () => {
    const before = await t.em().count(OutboxEmail, {});
    const res = await forgot('zo\u200b\u00e9@example.com');
    expect(res.status).toBe(422);
    expect(res.text).toContain(INVISIBLE);
    await t.settled();
    expect(await t.em().count(OutboxEmail, {})).toBe(before);
  });

  it('partner:create refuses an owner email with an invisible character, exit code 2, nothing written', async () => {
    const before = { partners: await t.em().count(Partner, {}), users: await t.em().count(User, {}) };
    const { code, out } = await cli(
      'partner:create',
      '--name',
      'Sneaky Partners',
      '--owner-email',
      'ol\u200bga@example.com',
      '--owner-name',
      'X',
    );
    expect(code).toBe(2);
    expect(out).toContain(`--owner-email: ${INVISIBLE}`);
    expect({ partners: await t.em().count(Partner, {}), users: await t.em().count(User, {}) }).toEqual(before);
  });

  it('partner:invite finds the person already on the team under a decomposed address', async () => {
    const before = await counts();
    const { code, out } = await cli('partner:invite', '--partner', partner.id, '--email', ZOE_DECOMPOSED, '--name', 'Zoé');
    expect(code).toBe(2);
    expect(out).toContain('This email is already on the team.');
    expect(await counts()).toEqual(before);
  });

  it('demo:seed stores the owner under the canonical address and refuses a direction character', async () => {
    const refused = await cli('demo:seed', '--numbers', '1', '--name', 'Refused Demo', '--owner-email', 'demo\u202e@example.com');
    expect(refused.code).toBe(2);
    expect(refused.out).toContain(`--owner-email: ${DIRECTION}`);
    expect(await t.em().count(Partner, { name: 'Refused Demo' })).toBe(0);

    const { code } = await cli('demo:seed', '--numbers', '1', '--name', 'Canonical Demo', '--owner-email', 'Rene\u0301@Demo.Example');
    expect(code).toBe(0);
    const user = await t.em().findOneOrFail(User, { email: 'ren\u00e9@demo.example' });
    expect(await t.em().count(Membership, { user, partner: { name: 'Canonical Demo' }, role: 'owner' })).toBe(1);
  });
});

describe('the migration that folds stored addresses into their canonical form', () => {
  let t: TestApp;
  const warnings: string[] = [];
  const ids = {
    fold: newId(),
    idna: newId(),
    zoeDecomposed: newId(),
    zoe: newId(),
    twinOld: newId(),
    twinNew: newId(),
    invisible: newId(),
    plain: newId(),
  };
  const stored: [keyof typeof ids, string][] = [
    ['zoe', ZOE],
    ['fold', '  Fold.Me@Example.COM'],
    ['idna', 'kim@Bücher.example'],
    ['zoeDecomposed', 'zoe\u0301@example.com'],
    ['twinOld', 'Twin@Example.com'],
    ['twinNew', 'TWIN@example.com'],
    ['invisible', 'ad\u200bmin@example.com'],
    ['plain', 'plain@example.com'],
  ];
  const emailsById = async () => {
    const rows = (await t.em().getConnection().execute('select "id", "email" from "user"')) as { id: string; email: string }[];
    return Object.fromEntries(rows.map((r) => [r.id, r.email]));
  };

  beforeAll(async () => {
    t = await createTestApp({ migrate: false });
    const pending = await pendingMigrations(t.orm);
    const at = pending.indexOf(FOLD_MIGRATION);
    expect(at).toBeGreaterThan(0);
    await t.orm.getMigrator().up({ to: pending[at - 1] });
    // Written the way earlier versions could: raw, before the fold.
    let minute = 0;
    for (const [key, email] of stored) {
      const at = new Date(Date.UTC(2026, 0, 1, 0, minute++)).toISOString();
      await t
        .em()
        .getConnection()
        .execute('insert into "user" ("id", "created_at", "updated_at", "email", "name") values (?, ?, ?, ?, ?)', [
          ids[key],
          at,
          at,
          email,
          key,
        ]);
    }
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    vi.spyOn(console, 'warn').mockImplementation((...a: unknown[]) => void warnings.push(a.join(' ')));
    try {
      expect(await migrateUp(t.orm)).toContain(FOLD_MIGRATION);
    } finally {
      vi.restoreAllMocks();
    }
  });
  afterAll(() => t?.close());

  it('stores each non-canonical address in its canonical form when no one else has it', async () => {
    const emails = await emailsById();
    expect(emails[ids.fold]).toBe('fold.me@example.com');
    expect(emails[ids.idna]).toBe('kim@xn--bcher-kva.example');
    expect(emails[ids.twinOld]).toBe('twin@example.com');
    expect(emails[ids.plain]).toBe('plain@example.com');
    expect(emails[ids.zoe]).toBe(ZOE);
    expect(Object.keys(emails)).toHaveLength(stored.length);
  });

  it('leaves both rows of a duplicate person unchanged and names both users in a warning', async () => {
    const emails = await emailsById();
    expect(emails[ids.zoeDecomposed]).toBe('zoe\u0301@example.com');
    expect(emails[ids.zoe]).toBe(ZOE);
    expect(emails[ids.twinNew]).toBe('TWIN@example.com');
    const conflict = (a: string, b: string) => warnings.filter((w) => w.includes(a) && w.includes(b));
    expect(conflict(ids.zoeDecomposed, ids.zoe)).toHaveLength(1);
    expect(conflict(ids.twinNew, ids.twinOld)).toHaveLength(1);
  });

  it('warns about a stored address the app now refuses, and nothing about the good ones', async () => {
    expect(warnings.filter((w) => w.includes(ids.invisible))).toEqual([expect.stringContaining(INVISIBLE)]);
    for (const key of ['fold', 'idna', 'plain'] as const) expect(warnings.filter((w) => w.includes(ids[key]))).toEqual([]);
    expect(warnings).toHaveLength(3);
  });
});
