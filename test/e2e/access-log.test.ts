import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { RequestsInFlight } from '../../src/common/requests-in-flight';
import { createMember, createPartner } from '../factories';
import { createNumber } from '../factories/accounts';
import { createTestApp, type TestApp } from '../support/app';
import { signIn } from '../support/http';

type Line = Record<string, unknown>;

/** The access-log lines the test app wrote. */
function accessLines(t: TestApp): Line[] {
  return t.logs.map((line) => JSON.parse(line) as Line).filter((l) => l.event === 'http.request');
}

describe('access log', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('writes one JSON line per request with the route pattern, status, duration, size, request id, partner and user', async () => {
    const partner = await createPartner(t.em());
    const member = await createMember(t.em(), partner);
    const number = await createNumber(t.em(), partner);
    const agent = t.agent();
    await signIn(agent, member.email, member.password);
    const before = accessLines(t).length;

    const res = await agent.get(`/accounts/${number.id}?token=not-for-the-log`).expect(200);

    const lines = accessLines(t).slice(before);
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toMatchObject({
      level: 30,
      method: 'GET',
      route: '/accounts/:id',
      status: 200,
      requestId: res.headers['x-request-id'],
      partnerId: partner.id,
      userId: member.user.id,
    });
    expect(line.ms).toEqual(expect.any(Number));
    // Headers and body: at least the page's own length.
    expect(line.bytes).toBeGreaterThanOrEqual(res.text.length);
    // The raw path (an id, a query string that may hold a token) is not logged for a known route.
    expect(JSON.stringify(line)).not.toContain(number.id);
    expect(JSON.stringify(line)).not.toContain('not-for-the-log');
    expect(line).not.toHaveProperty('path');
  });

  it('logs a signed-out request without partner or user, and no cookie, session id or query string', async () => {
    const agent = t.agent();
    await agent.get('/login').expect(200);
    const before = accessLines(t).length;
    await agent.get('/login?next=%2Faccounts&password=hunter2').expect(200);
    const lines = accessLines(t).slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ method: 'GET', route: '/login', status: 200, partnerId: null, userId: null });
    const text = t.logs.slice(-5).join('\n');
    expect(text).not.toMatch(/hunter2|hub\.sid|cookie/i);
  });

  it('logs the path of a request no route matched, without its query string', async () => {
    const before = accessLines(t).length;
    await t.http().get('/no/such/page?token=abc').expect(404);
    const lines = accessLines(t).slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ method: 'GET', route: null, path: '/no/such/page', status: 404 });
  });

  it('logs a request the client aborted, marked aborted', async () => {
    await t.app.listen(0, '127.0.0.1');
    // A form post whose body never completes: the client gives up and closes the connection.
    const { port } = t.app.getHttpServer().address() as { port: number };
    const before = accessLines(t).length;
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=');
    await expect.poll(() => t.app.get(RequestsInFlight).count, { timeout: 10_000 }).toBeGreaterThan(0);
    socket.destroy();
    await expect.poll(() => accessLines(t).length, { timeout: 10_000 }).toBe(before + 1);
    expect(accessLines(t).at(-1)).toMatchObject({ method: 'POST', route: null, aborted: true });
  });
});

describe('access log off (ACCESS_LOG=false)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { ACCESS_LOG: 'false' } });
  });
  afterAll(() => t.close());

  it('writes no line for a request', async () => {
    await t.http().get('/login').expect(200);
    expect(accessLines(t)).toEqual([]);
  });
});
