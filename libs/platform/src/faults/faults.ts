import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { trace, type Counter } from '@opentelemetry/api';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidArgumentError } from '../errors/domain-errors';
import { statusError } from '../errors/grpc-status';
import type { Logger } from '../logging/logger';
import { activeTelemetry } from '../telemetry/telemetry';
import type { FaultRuleHit, FaultRuleSet } from './fault-rules';

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

/** The longest delay a request or a rule may inject. */
export const MAX_INJECTED_LATENCY_MS = 60_000;
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

/** Span attributes of a call a fault was injected into (header or rule alike), beside rule_ids for rules. */
export const FAULT_SPAN_ATTRIBUTES = {
  ruleIds: 'streamplane.fault.rule_ids',
  latencyMs: 'streamplane.fault.latency_ms',
  errorCode: 'streamplane.fault.error_code',
} as const;

/**
 * Injects the faults a served call is asked for: those its x-streamplane-fault metadata names for this
 * service, and, in the request phase, those the runtime rules draw for its method. Latencies add up and
 * are waited for first; then the call fails with the request's own error code if it names one, else with
 * the first rule's that hit. The call's server span (the active one) records what was injected, and every
 * rule hit is counted (streamplane_faults_injected_total{rule, method, kind}).
 */
export class FaultInjector {
  private injectedByRules?: Counter;

  constructor(
    private readonly service: string,
    readonly enabled: boolean,
    private readonly logger?: Logger,
    private readonly rules?: FaultRuleSet,
  ) {}

  /** Applies the faults of one call of `method` (its full path) in `phase`: waits first, then fails if asked to. */
  async apply(method: string, metadata: Metadata, signal: AbortSignal, phase: FaultPhase = 'request'): Promise<void> {
    if (!this.enabled) return;
    const requested = this.requestedFaults(metadata, phase);
    const hits = phase === 'request' && this.rules ? this.rules.hitsFor(method) : [];
    if (requested.length === 0 && hits.length === 0) return;
    let latencyMs = 0;
    for (const fault of requested) latencyMs += fault.latencyMs ?? 0;
    for (const { fault } of hits) if (fault.kind === 'latency') latencyMs += fault.latencyMs;
    const failure = this.failureOf(requested, hits);
    const statusName = failure && GrpcStatus[failure.code];
    this.record(method, hits, latencyMs, statusName);
    this.logger?.debug('injecting fault', {
      latency_ms: latencyMs,
      status: statusName,
      phase,
      rule_ids: hits.map(({ ruleId }) => ruleId),
    });
    if (latencyMs > 0) {
      await sleep(latencyMs, undefined, { signal }).catch(() => undefined);
    }
    if (failure) {
      const cause = failure.ruleId === undefined ? '' : ` (fault rule ${failure.ruleId})`;
      throw statusError(failure.code, `injected fault: ${this.service} answered ${statusName}${cause}`);
    }
  }

  /** The request's own error code wins over the rules'; among rules, the first that hit. */
  private failureOf(
    requested: readonly Fault[],
    hits: readonly FaultRuleHit[],
  ): { code: GrpcStatus; ruleId?: string } | undefined {
    const asked = requested.find((fault) => fault.failWith !== undefined)?.failWith;
    if (asked !== undefined) return { code: asked };
    for (const { ruleId, fault } of hits) if (fault.kind === 'error') return { code: fault.code, ruleId };
    return undefined;
  }

  /** What the request's x-streamplane-fault metadata asks of this service in `phase`, on this attempt. */
  private requestedFaults(metadata: Metadata, phase: FaultPhase): Fault[] {
    const values = metadata.get(FAULT_METADATA_KEY);
    if (values.length === 0) return [];
    const attempt = Number(metadata.get(PREVIOUS_ATTEMPTS_KEY)[0] ?? 0) + 1;
    return parseFaults(values.map(String).join(',')).filter(
      (fault) =>
        fault.service === this.service &&
        fault.phase === phase &&
        (fault.attempt === undefined || fault.attempt === attempt),
    );
  }

  private record(
    method: string,
    hits: readonly FaultRuleHit[],
    latencyMs: number,
    statusName: string | undefined,
  ): void {
    const span = trace.getActiveSpan();
    if (span) {
      if (hits.length > 0)
        span.setAttribute(
          FAULT_SPAN_ATTRIBUTES.ruleIds,
          hits.map(({ ruleId }) => ruleId),
        );
      if (latencyMs > 0) span.setAttribute(FAULT_SPAN_ATTRIBUTES.latencyMs, latencyMs);
      if (statusName !== undefined) span.setAttribute(FAULT_SPAN_ATTRIBUTES.errorCode, statusName);
    }
    if (hits.length === 0) return;
    this.injectedByRules ??= activeTelemetry().meter.createCounter('streamplane.faults.injected', {
      description: 'Calls a runtime fault rule delayed (kind=latency) or failed (kind=error), by rule and method.',
    });
    const methodName = method.slice(method.lastIndexOf('/') + 1);
    for (const { ruleId, fault } of hits) {
      this.injectedByRules.add(1, { rule: ruleId, method: methodName, kind: fault.kind });
    }
  }
}
