/**
 * What Consul's health endpoint, /v1/health/service/<name>?passing, answers: read by the resolver's
 * blocking queries and by tools that ask once (`npm run chaos` reaching every instance). Plain data, so
 * reading it loads no Consul client.
 */

/** One healthy instance of a service, as Consul's health endpoint reports it. */
export interface ServiceInstance {
  id: string;
  address: string;
  port: number;
}

/** The parts of one entry of the answer that name an instance. */
export interface ConsulHealthEntry {
  Node?: { Address?: string };
  Service?: {
    ID?: string;
    Address?: string;
    Port?: number;
    /** A multi-port registration (recent consul-k8s catalog sync): Port is 0 and the default port is here. */
    Ports?: readonly { Port?: number; Default?: boolean }[] | null;
  };
}

/**
 * The instances of an answer; an instance registered without an address is at its node's, one registered
 * with several ports (and no Port) at its default one.
 */
export function instancesOfHealthEntries(entries: readonly ConsulHealthEntry[]): ServiceInstance[] {
  return entries.flatMap((entry) => {
    const id = entry.Service?.ID;
    const address = entry.Service?.Address || entry.Node?.Address;
    const port = entry.Service?.Port || entry.Service?.Ports?.find((candidate) => candidate.Default)?.Port;
    return id && address && port ? [{ id, address, port }] : [];
  });
}
