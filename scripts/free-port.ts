import { createServer } from 'node:net';

/**
 * A port nothing listens on right now (the OS picks it), for a server that must be told its port in
 * advance: a service restarted on the same port, a PostgreSQL or Redis started by a test. Another process
 * could take it before it is bound; on 127.0.0.1 in a test run that does not happen in practice.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
