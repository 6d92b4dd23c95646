import type { Server } from 'node:http';
import { Injectable } from '@nestjs/common';
import type { Logger } from './logger';

/** How often a closing server looks for connections that went idle (their last answer sent). */
const IDLE_SWEEP_MS = 100;

/**
 * Whether this process is shutting down. Set first on SIGTERM, so that `/readyz` answers 503
 * while requests are still being served and a load balancer moves new traffic away.
 */
@Injectable()
export class Lifecycle {
  private stopping = false;

  get shuttingDown(): boolean {
    return this.stopping;
  }

  beginShutdown(): void {
    this.stopping = true;
  }
}

/**
 * Once shutting down, every answer carries `Connection: close`, so a keep-alive client opens
 * its next connection elsewhere. Prepended: Express may answer synchronously.
 */
export function closeConnectionsWhenStopping(server: Server, lifecycle: Lifecycle): void {
  server.prependListener('request', (_req, res) => {
    if (lifecycle.shuttingDown) res.setHeader('Connection', 'close');
  });
}

/**
 * Stops accepting connections and resolves once every open one has ended: idle keep-alive
 * connections are closed at once, busy ones as soon as their answer is sent (the server checks
 * every IDLE_SWEEP_MS), so no request in flight is cut.
 */
export function closeHttpServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/**
 * How long readiness fails before the server stops accepting, so that a load balancer probing
 * `/readyz` stops sending new requests first: a fifth of the shutdown bound, at most 5 s. Only
 * on SIGTERM (an orchestrator, a process manager): Ctrl-C (SIGINT) stops at once.
 */
export function drainDelayMs(signal: NodeJS.Signals, shutdownTimeoutMs: number): number {
  return signal === 'SIGTERM' ? Math.min(5_000, Math.floor(shutdownTimeoutMs / 5)) : 0;
}

/**
 * Runs `stop` on the first SIGTERM or SIGINT, then exits: 0 when it finished, 1 when it failed
 * or did not finish within `timeoutMs` (the work still running is cut). A second signal while
 * stopping changes nothing.
 */
export function stopOnSignals(stop: (signal: NodeJS.Signals) => Promise<void>, timeoutMs: number, logger: Logger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'shutdown.started', signal, timeoutMs }, 'shutting down');
    const started = Date.now();
    const bound = setTimeout(() => {
      logger.error({ event: 'shutdown.timed_out', timeoutMs }, 'work still in flight at the shutdown bound: exiting');
      process.exit(1);
    }, timeoutMs);
    bound.unref();
    stop(signal).then(
      () => {
        logger.info({ event: 'shutdown.done', ms: Date.now() - started }, 'shut down');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ event: 'shutdown.failed', err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, onSignal);
}
