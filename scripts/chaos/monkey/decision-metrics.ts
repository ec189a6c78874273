import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MonkeyCluster } from './chaos-monkey';
import { DECISIONS, type Decision, type DecisionSink } from './decisions';

/**
 * `chaos_monkey_decisions_total{service,decision}`, in the Prometheus text format, on a small HTTP server
 * that also answers the pod's probes (`/healthz`). One counter does not warrant a metrics SDK; the format
 * is https://prometheus.io/docs/instrumenting/exposition_formats/.
 */

export const DECISIONS_METRIC = 'chaos_monkey_decisions_total';

export class DecisionCounter implements DecisionSink {
  private readonly counts = new Map<string, number>();

  /** Every service starts at zero for every decision, so a rate() over the series sees the first one. */
  constructor(services: readonly string[] = []) {
    this.addServices(services);
  }

  /** Starts each service not yet counted at zero for every decision; counts already made stay. */
  addServices(services: readonly string[]): void {
    for (const service of services) {
      for (const decision of DECISIONS) {
        const at = key(service, decision);
        if (!this.counts.has(at)) this.counts.set(at, 0);
      }
    }
  }

  async record(decision: Decision): Promise<void> {
    const at = key(decision.service, decision.decision);
    this.counts.set(at, (this.counts.get(at) ?? 0) + 1);
  }

  count(service: string, decision: Decision['decision']): number {
    return this.counts.get(key(service, decision)) ?? 0;
  }

  exposition(): string {
    const lines = [
      `# HELP ${DECISIONS_METRIC} Decisions of the Chaos Monkey, by service (Deployment) and decision.`,
      `# TYPE ${DECISIONS_METRIC} counter`,
    ];
    for (const [at, count] of [...this.counts].sort(([a], [b]) => a.localeCompare(b))) {
      const [service, decision] = JSON.parse(at) as [string, string];
      lines.push(`${DECISIONS_METRIC}{service=${labelValue(service)},decision=${labelValue(decision)}} ${count}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

/**
 * `cluster`, with every opted-in Deployment it lists added to `counter`: the monkey learns its services
 * from the cluster (opting in is a label on the pods, not a setting of its own), so their series start at
 * zero from the first listing, the first draw on a work day.
 */
export function countingServicesOf(cluster: MonkeyCluster, counter: DecisionCounter): MonkeyCluster {
  return {
    async optedInGroups() {
      const groups = await cluster.optedInGroups();
      counter.addServices(groups.map((group) => group.name));
      return groups;
    },
    pods: (group) => cluster.pods(group),
    terminate: (pod, mode) => cluster.terminate(pod, mode),
    recordLastKill: (group, atMs) => cluster.recordLastKill(group, atMs),
  };
}

const key = (service: string, decision: string) => JSON.stringify([service, decision]);

/** A label value quoted as the text format wants it: backslash, double quote and newline escaped. */
export function labelValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Serves `/metrics` and `/healthz` on host:port (0: any free port); resolves with the bound port. */
export async function serveDecisionMetrics(
  counter: DecisionCounter,
  host: string,
  port: number,
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/metrics') {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      response.end(counter.exposition());
    } else if (request.method === 'GET' && path === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('ok\n');
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found: GET /metrics or /healthz\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // A scraper's keep-alive connection would hold close() open until it times out.
        server.closeAllConnections();
      }),
  };
}
