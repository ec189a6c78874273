import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { InstanceResolver } from '../application/ports';

/**
 * Every instance behind a name: on Kubernetes a headless Service's name resolves to each pod's address,
 * so each instance is read on its own (a rate from two pods' counters read in turn would be nonsense).
 * Only one address family is kept (IPv4 when there is one): a dual-stack pod, or `localhost`, has an
 * address of each, and counting it twice would double its traffic.
 */
export class DnsInstanceResolver implements InstanceResolver {
  async resolve(host: string): Promise<string[]> {
    if (isIP(host) !== 0) return [host];
    const found = await lookup(host, { all: true });
    const family = found.some((entry) => entry.family === 4) ? 4 : 6;
    return [...new Set(found.filter((entry) => entry.family === family).map((entry) => entry.address))].sort();
  }
}
