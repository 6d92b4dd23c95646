import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/common/logger';
import { loadConfig } from '../../src/config/config';
import { serve } from '../../src/server';
import { freePort } from '../support/ports';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/database';

const ROOT = resolve(__dirname, '../..');

/**
 * The hub as `node dist/src/main.js` runs it, without a build: src/main.ts through a require
 * hook that compiles TypeScript with SWC (as the test runner does). node:cluster workers get
 * the same hook (execArgv).
 */
let hookDir: string;
function writeHook(): string {
  hookDir = mkdtempSync(join(tmpdir(), 'hub-hook-'));
  const hook = join(hookDir, 'ts-hook.cjs');
  writeFileSync(
    hook,
    `const { readFileSync } = require('node:fs');
const { transformSync } = require(${JSON.stringify(require.resolve('@swc/core', { paths: [ROOT] }))});
require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
`,
  );
  return hook;
}

interface Hub {
  child: ChildProcess;
  port: number;
  stdout: string[];
  stderr: string[];
  exited: Promise<number | null>;
}

function startHub(hook: string, env: Record<string, string>, port: number): Hub {
  const child = spawn(process.execPath, ['-r', hook, join(ROOT, 'src/main.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DEMO_SEED: 'false',
      HOST: '127.0.0.1',
      PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const hub: Hub = { child, port, stdout: [], stderr: [], exited: once(child, 'exit').then(([code]) => code as number | null) };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => hub.stdout.push(d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => hub.stderr.push(d));
  return hub;
}

/** One request on a new connection: its status, or 'refused' when nothing listens. */
async function probe(port: number, path: string): Promise<number | 'refused' | 'failed'> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { connection: 'close' }, signal: AbortSignal.timeout(5_000) });
    await res.arrayBuffer();
    return res.status;
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code;
    return code === 'ECONNREFUSED' ? 'refused' : 'failed';
  }
}

/** A raw HTTP/1.1 connection, to hold a request open and to see what the server does with it. */
async function rawConnection(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let data = '';
  socket.setEncoding('utf8').on('data', (d: string) => (data += d));
  socket.on('error', () => undefined);
  const closed = once(socket, 'close').then(() => undefined);
  return { socket, received: () => data, closed };
}

const BODY = 'email=a%40example.com';

describe('graceful shutdown of the real process', () => {
  let db: TestDatabase;
  let hook: string;
  let hub: Hub | undefined;

  beforeAll(() => {
    hook = writeHook();
  });
  afterEach(async () => {
    if (hub && hub.child.exitCode === null && hub.child.signalCode === null) {
      hub.child.kill('SIGKILL');
      await hub.exited;
    }
    hub = undefined;
    await db?.drop();
  });
  afterAll(() => rmSync(hookDir, { recursive: true, force: true }));

  it.each([
    ['one process', '1'],
    ['HTTP workers (WEB_CONCURRENCY=2)', '2'],
  ])(
    '%s: on SIGTERM readiness turns 503, keep-alive connections close politely, new connections are refused, the request in flight completes, exit 0',
    async (_name, workers) => {
      db = await createTestDatabase();
      const port = await freePort();
      hub = startHub(hook, { ...db.env, WEB_CONCURRENCY: workers, SHUTDOWN_TIMEOUT_SECONDS: '25' }, port);
      // Every process started (the primary prints its line once all HTTP workers listen).
      await vi.waitFor(() => expect(hub!.stdout.join('')).toContain('Partner Hub listening on'), { timeout: 60_000, interval: 200 });
      expect(await probe(port, '/readyz')).toBe(200);
      // /metrics answers from any worker; with workers, the whole cluster's (via the primary).
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain('http_request_duration_seconds_count{method="GET",route="/readyz",status_class="2xx"}');
      expect(hub.stdout.join('')).not.toContain('metrics.cluster_failed');

      // An idle keep-alive connection, and a request held open by a body not yet all sent.
      const idle = await rawConnection(port);
      idle.socket.write('GET /healthz HTTP/1.1\r\nHost: hub\r\n\r\n');
      await vi.waitFor(() => expect(idle.received()).toContain('"ok"'), { timeout: 10_000 });
      const held = await rawConnection(port);
      held.socket.write(
        `GET /login HTTP/1.1\r\nHost: hub\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY.slice(0, 5)}`,
      );
      expect(await probe(port, '/healthz')).toBe(200);

      hub.child.kill('SIGTERM');
      // Readiness fails first, while the server still accepts (the drain delay).
      await vi.waitFor(async () => expect(await probe(port, '/readyz')).toBe(503), { timeout: 10_000, interval: 50 });
      // A keep-alive connection's next answer says Connection: close, and the server closes it.
      const before = idle.received().length;
      idle.socket.write('GET /readyz HTTP/1.1\r\nHost: hub\r\n\r\n');
      await idle.closed;
      expect(idle.received().slice(before)).toMatch(/^HTTP\/1\.1 503[\s\S]*\r\nConnection: close\r\n/i);

      // Then no new connection, while the request in flight is still being waited for.
      await vi.waitFor(async () => expect(await probe(port, '/healthz')).toBe('refused'), { timeout: 20_000, interval: 50 });
      expect(hub.child.exitCode).toBeNull();

      held.socket.write(BODY.slice(5));
      await held.closed;
      const answer = held.received();
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      expect(answer.trimEnd()).toMatch(/<\/html>$/);

      expect(await hub.exited).toBe(0);
      const log = hub.stdout.join('');
      expect(log).toContain('"event":"shutdown.started"');
      if (workers === '1') expect(log).toContain('"event":"shutdown.done"');
    },
    120_000,
  );

  it('exits 1 at SHUTDOWN_TIMEOUT_SECONDS when a request never completes', async () => {
    db = await createTestDatabase();
    const port = await freePort();
    hub = startHub(hook, { ...db.env, SHUTDOWN_TIMEOUT_SECONDS: '2' }, port);
    await vi.waitFor(async () => expect(await probe(port, '/readyz')).toBe(200), { timeout: 60_000, interval: 200 });
    const held = await rawConnection(port);
    held.socket.write(
      `GET /login HTTP/1.1\r\nHost: hub\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nx`,
    );
    expect(await probe(port, '/healthz')).toBe(200);
    hub.child.kill('SIGTERM');
    expect(await hub.exited).toBe(1);
    expect(hub.stdout.join('')).toContain('"event":"shutdown.timed_out"');
    held.socket.destroy();
  }, 90_000);
});

describe('a start that fails', () => {
  let hook: string;
  beforeAll(() => {
    hook = writeHook();
  });
  afterAll(() => rmSync(hookDir, { recursive: true, force: true }));

  const plainOneLine = (hub: Hub) => {
    const stderr = hub.stderr.join('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^Partner Hub did not start: /);
    // No colours, no stack trace, no password from the URL.
    expect(stderr + hub.stdout.join('')).not.toMatch(/\u001b\[|\n\s+at /);
    expect(stderr).not.toContain('s3cret');
  };

  it('exits 1 with one plain line when the database is unreachable', async () => {
    const hub = startHub(hook, { DATABASE_URL: 'postgres://hub:s3cret@127.0.0.1:9/unreachable' }, await freePort());
    expect(await hub.exited).toBe(1);
    plainOneLine(hub);
  }, 60_000);

  it('exits 1 with one plain line when the port is in use', async () => {
    const db = await createTestDatabase();
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    try {
      const hub = startHub(hook, db.env, (taken.address() as { port: number }).port);
      expect(await hub.exited).toBe(1);
      plainOneLine(hub);
      expect(hub.stderr.join('')).toContain('EADDRINUSE');
    } finally {
      taken.close();
      await db.drop();
    }
  }, 60_000);
});

describe.skipIf(onPostgres())('a start on a SQLite file that is not there', () => {
  let hook: string;
  let dir: string;
  beforeAll(() => {
    hook = writeHook();
    dir = mkdtempSync(join(tmpdir(), 'hub-new-db-'));
  });
  afterAll(() => {
    rmSync(hookDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('says it starts a new, empty database, and says nothing once the file is there', async () => {
    const env = { SQLITE_PATH: join(dir, 'mistyped', 'hub.sqlite') };
    const started = async () => {
      const hub = startHub(hook, env, await freePort());
      await vi.waitFor(() => expect(hub.stdout.join('')).toContain('Partner Hub listening on'), { timeout: 60_000, interval: 200 });
      hub.child.kill('SIGTERM');
      await hub.exited;
      return hub.stdout.join('');
    };
    const first = await started();
    expect(first).toContain('"event":"database.created"');
    expect(first).toContain('no SQLite database at this path: starting a new, empty one');
    expect(await started()).not.toContain('database.created');
  }, 120_000);
});

describe('HTTP server limits', () => {
  it('applies HTTP_HEADERS_TIMEOUT_SECONDS, HTTP_REQUEST_TIMEOUT_SECONDS and HTTP_KEEP_ALIVE_TIMEOUT_SECONDS to the server', async () => {
    const db = await createTestDatabase();
    const config = loadConfig({
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      HTTP_HEADERS_TIMEOUT_SECONDS: '7',
      HTTP_REQUEST_TIMEOUT_SECONDS: '42',
      HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: '3',
      ...db.env,
    });
    const app = await serve(config, createLogger('silent'), false);
    try {
      const server = app.getHttpServer() as Server;
      expect(server.listening).toBe(true);
      expect({ headers: server.headersTimeout, request: server.requestTimeout, keepAlive: server.keepAliveTimeout }).toEqual({
        headers: 7_000,
        request: 42_000,
        keepAlive: 3_000,
      });
    } finally {
      await app.close();
      await db.drop();
    }
  });
});
