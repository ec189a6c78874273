import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidArgumentError } from '../errors/domain-errors';
import { statusError } from '../errors/grpc-status';
import type { Logger } from '../logging/logger';

/**
 * Fault injection for tests and game days. A request may carry
 *   x-streamplane-fault: <service>=<STATUS_NAME | latency in ms, e.g. 250 or 250ms>[,…]
 * and, when STREAMPLANE_FAULTS=enabled, the named service delays and/or fails the request as asked. The
 * header travels downstream with the request (the resilient client copies it), so one call from the edge
 * can break a service several hops away. When disabled, the header is never even parsed.
 */
export const FAULT_METADATA_KEY = 'x-streamplane-fault';

export interface Fault {
  service: string;
  latencyMs?: number;
  failWith?: GrpcStatus;
}

const MAX_INJECTED_LATENCY_MS = 60_000;

export function parseFaults(header: string): Fault[] {
  const faults: Fault[] = [];
  for (const entry of header.split(',')) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    const separator = trimmed.indexOf('=');
    const service = trimmed.slice(0, separator).trim();
    const value = trimmed.slice(separator + 1).trim();
    if (separator <= 0 || value === '') {
      throw new InvalidArgumentError(
        FAULT_METADATA_KEY,
        `"${trimmed}" is not of the form <service>=<status|latency ms>`,
      );
    }
    const latency = /^(\d+)(ms)?$/.exec(value);
    if (latency) {
      const latencyMs = Number(latency[1]);
      if (latencyMs > MAX_INJECTED_LATENCY_MS) {
        throw new InvalidArgumentError(
          FAULT_METADATA_KEY,
          `latency ${latencyMs} ms is over ${MAX_INJECTED_LATENCY_MS} ms`,
        );
      }
      faults.push({ service, latencyMs });
      continue;
    }
    const code = GrpcStatus[value.toUpperCase() as keyof typeof GrpcStatus];
    if (typeof code !== 'number' || code === GrpcStatus.OK) {
      throw new InvalidArgumentError(
        FAULT_METADATA_KEY,
        `"${value}" is neither a gRPC status name nor a latency in ms`,
      );
    }
    faults.push({ service, failWith: code });
  }
  return faults;
}

export class FaultInjector {
  constructor(
    private readonly service: string,
    readonly enabled: boolean,
    private readonly logger?: Logger,
  ) {}

  /** Applies the faults the request asks of this service: waits first, then fails if asked to. */
  async apply(metadata: Metadata, signal: AbortSignal): Promise<void> {
    if (!this.enabled) return;
    const values = metadata.get(FAULT_METADATA_KEY);
    if (values.length === 0) return;
    const mine = parseFaults(values.map(String).join(',')).filter((fault) => fault.service === this.service);
    if (mine.length === 0) return;
    const latencyMs = mine.reduce((total, fault) => total + (fault.latencyMs ?? 0), 0);
    const failWith = mine.find((fault) => fault.failWith !== undefined)?.failWith;
    const statusName = failWith === undefined ? undefined : GrpcStatus[failWith];
    this.logger?.debug('injecting fault', { latency_ms: latencyMs, status: statusName });
    if (latencyMs > 0) {
      await sleep(latencyMs, undefined, { signal }).catch(() => undefined);
    }
    if (failWith !== undefined) {
      throw statusError(failWith, `injected fault: ${this.service} answered ${statusName}`);
    }
  }
}
