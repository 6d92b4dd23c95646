import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailWorker } from '../../src/mail/mail-worker.service';
import { createTestApp, type TestApp } from '../support/app';
import { csrfFrom, postForm, signIn } from '../support/http';
import { createMember, createPartner } from '../factories';

const NEW_PASSWORD = 'juniper lantern orbit 48 quartz';

describe('secrets in the log, with mail written to a folder', () => {
  let t: TestApp;
  let dir: string;
  const emlFiles = () => readdirSync(dir).filter((f) => f.endsWith('.eml'));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hub-mail-'));
    // Every level, so that no debug line can hide a secret either.
    t = await createTestApp({ env: { MAIL_DIR: dir, LOG_LEVEL: 'trace' } });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('puts a password-reset link only in the .eml file: the log names the file, no line holds the token, the link works', async () => {
    const partner = await createPartner(t.em(), { name: 'Wonka' });
    const person = await createMember(t.em(), partner, { role: 'member', email: 'charlie@wonka.example' });
    expect((await postForm(t.agent(), '/password/forgot', { email: person.email })).status).toBe(303);
    // The link is queued after the answer (the same answer for every address): wait for it.
    await t.settled();
    expect(await t.app.get(MailWorker).sendDue(t.clock.now())).toMatchObject({ sent: 1 });

    const [file] = emlFiles();
    const mail = await simpleParser(readFileSync(join(dir, file)));
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toBe(person.email);
    const link = /https?:\/\/\S+\/password\/reset\/([A-Za-z0-9_-]{43})/.exec(mail.text ?? '');
    expect(link).not.toBeNull();
    const [url, token] = link!;
    expect(t.logs.map((l) => JSON.parse(l) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ event: 'mail.written', file: join(dir, file) }),
    );

    // The link in the file works: it resets the password.
    const agent = t.agent();
    const stash = await agent.get(new URL(url).pathname);
    expect(stash.headers.location).toBe('/password/reset');
    const page = await agent.get('/password/reset');
    expect(page.status).toBe(200);
    const done = await agent
      .post('/password/reset')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(done.headers.location).toBe('/login');
    await signIn(t.agent(), person.email, NEW_PASSWORD);

    // Nothing logged on the way, mail or requests, holds the token or the new password.
    expect(t.logs.length).toBeGreaterThan(0);
    expect(t.logs.filter((line) => line.includes(token) || line.includes(NEW_PASSWORD))).toEqual([]);
  });
});
