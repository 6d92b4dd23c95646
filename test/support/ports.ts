import { createServer } from 'node:net';

/**
 * Ports the operating system never hands out by itself: below Linux's ephemeral range
 * (ip_local_port_range, 32768-60999), which every listen(0) and outgoing connection of the
 * parallel test files draws from. A port taken from that range could be given to another
 * socket between this check and the moment the hub under test binds it (seen in CI as a
 * cluster worker that exited before it was ready).
 */
const OWN_PORTS = { from: 20_000, to: 32_767 };

/** A TCP port on 127.0.0.1 that is free right now and that no other socket is given meanwhile. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = OWN_PORTS.from + Math.floor(Math.random() * (OWN_PORTS.to - OWN_PORTS.from + 1));
    const free = await new Promise<boolean>((resolve, reject) => {
      const server = createServer();
      server.unref();
      server.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(false) : reject(err)));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}
