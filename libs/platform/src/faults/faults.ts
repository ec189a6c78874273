import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidArgumentError } from '../errors/domain-errors';
import { statusError } from '../errors/grpc-status';
import type { Logger } from '../logging/logger';

/**
 * Fault injection for tests and game days. A request may carry
 *   x-streamplane-fault: <service>=<fault>[@response][#<attempt>][,…]
 * where <fault> is a gRPC status name (UNAVAILABLE) or a latency in ms (250 or 250ms). When
 * STREAMPLANE_FAULTS=enabled, the named service delays and/or fails the request as asked:
 *   - by default before its handler runs (the request is lost);
 *   - with `@response`, after the handler has done its work (the answer is lost: what idempotency keys are
 *     for);
 *   - with `#N`, only on the N-th attempt of a call (from gRPC's grpc-previous-rpc-attempts header, which
 *     the resilient client sends on retries), so a retry can succeed.
 * The header travels downstream with the request (the resilient client copies it), so one call from the
 * edge can break a service several hops away. When disabled, the header is never even parsed.
 */
export const FAULT_METADATA_KEY = 'x-streamplane-fault';

/** gRPC's header for the number of earlier attempts of a retried call (gRFC A6). */
export const PREVIOUS_ATTEMPTS_KEY = 'grpc-previous-rpc-attempts';

export type FaultPhase = 'request' | 'response';

export interface Fault {
  service: string;
  latencyMs?: number;
  failWith?: GrpcStatus;
  phase: FaultPhase;
  /** Only on this attempt (1 = the first); undefined: every attempt. */
  attempt?: number;
}

const MAX_INJECTED_LATENCY_MS = 60_000;
const FAULT_SYNTAX = /^(?<service>[\w-]+)=(?<fault>[\w]+?)(?<unit>ms)?(?<phase>@response)?(?:#(?<attempt>\d+))?$/;

export function parseFaults(header: string): Fault[] {
  const faults: Fault[] = [];
  for (const entry of header.split(',')) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    const parts = FAULT_SYNTAX.exec(trimmed.replace(/\s+/g, ''))?.groups;
    if (!parts) {
      throw new InvalidArgumentError(
        FAULT_METADATA_KEY,
        `"${trimmed}" is not of the form <service>=<status|latency ms>[@response][#attempt]`,
      );
    }
    const fault: Fault = { service: parts.service!, phase: parts.phase ? 'response' : 'request' };
    if (parts.attempt !== undefined) fault.attempt = Number(parts.attempt);
    const value = parts.fault!;
    if (/^\d+$/.test(value)) {
      const latencyMs = Number(value);
      if (latencyMs > MAX_INJECTED_LATENCY_MS) {
        throw new InvalidArgumentError(
          FAULT_METADATA_KEY,
          `latency ${latencyMs} ms is over ${MAX_INJECTED_LATENCY_MS} ms`,
        );
      }
      faults.push({ ...fault, latencyMs });
      continue;
    }
    const code = GrpcStatus[value.toUpperCase() as keyof typeof GrpcStatus];
    if (parts.unit !== undefined || typeof code !== 'number' || code === GrpcStatus.OK) {
      throw new InvalidArgumentError(
        FAULT_METADATA_KEY,
        `"${value}${parts.unit ?? ''}" is neither a gRPC status name nor a latency in ms`,
      );
    }
    faults.push({ ...fault, failWith: code });
  }
  return faults;
}

export class FaultInjector {
  constructor(
    private readonly service: string,
    readonly enabled: boolean,
    private readonly logger?: Logger,
  ) {}

  /** Applies the faults the request asks of this service in `phase`: waits first, then fails if asked to. */
  async apply(metadata: Metadata, signal: AbortSignal, phase: FaultPhase = 'request'): Promise<void> {
    if (!this.enabled) return;
    const values = metadata.get(FAULT_METADATA_KEY);
    if (values.length === 0) return;
    const attempt = Number(metadata.get(PREVIOUS_ATTEMPTS_KEY)[0] ?? 0) + 1;
    const mine = parseFaults(values.map(String).join(',')).filter(
      (fault) =>
        fault.service === this.service &&
        fault.phase === phase &&
        (fault.attempt === undefined || fault.attempt === attempt),
    );
    if (mine.length === 0) return;
    const latencyMs = mine.reduce((total, fault) => total + (fault.latencyMs ?? 0), 0);
    const failWith = mine.find((fault) => fault.failWith !== undefined)?.failWith;
    const statusName = failWith === undefined ? undefined : GrpcStatus[failWith];
    this.logger?.debug('injecting fault', { latency_ms: latencyMs, status: statusName, phase, attempt });
    if (latencyMs > 0) {
      await sleep(latencyMs, undefined, { signal }).catch(() => undefined);
    }
    if (failWith !== undefined) {
      throw statusError(failWith, `injected fault: ${this.service} answered ${statusName}`);
    }
  }
}
