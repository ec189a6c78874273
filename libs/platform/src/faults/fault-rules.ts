import { status as GrpcStatus } from '@grpc/grpc-js';
import type { Clock } from '../clock';
import { InvalidArgumentError, NotFoundError, ResourceExhaustedError } from '../errors/domain-errors';
import { requireId } from '../validation';
import { MAX_INJECTED_LATENCY_MS } from './faults';

/**
 * Runtime fault rules (the Simian Army's Latency Monkey): "fail 30 % of GetTitle with UNAVAILABLE for
 * ten minutes", set on a running instance and in force from its next call. Plain TypeScript: the clock and
 * the random source are injected, so expiry and shares are tested in manual time with seeded draws; the
 * admin service (fault-rules-service.ts) and the call pipeline (FaultInjector) adapt it.
 */

/** Bounds of a rule. A rule always expires: a forgotten game day must not outlive the afternoon. */
export const FAULT_RULE_LIMITS = {
  /** Rules one instance holds at most; also what bounds the metric's rule label. */
  maxRules: 32,
  defaultTtlMs: 10 * 60_000,
  minTtlMs: 1_000,
  maxTtlMs: 60 * 60_000,
  minLatencyMs: 1,
  maxLatencyMs: MAX_INJECTED_LATENCY_MS,
} as const;

export type InjectedFault = { kind: 'latency'; latencyMs: number } | { kind: 'error'; code: GrpcStatus };

/** What SetFaultRule asks for, field by field as the proto names them (validated by validateFaultRule). */
export interface FaultRuleSpec {
  /** Empty or undefined: derived from the fault and the method. */
  ruleId?: string;
  /** "GetTitle", "CatalogService/GetTitle" or the full name; empty or undefined: every method. */
  method?: string;
  /** gRPC status name; empty or undefined for a latency rule. */
  errorCode?: string;
  /** 0 or undefined for an error rule. */
  latencyMs?: number;
  percent: number;
  /** Undefined: FAULT_RULE_LIMITS.defaultTtlMs. */
  ttlMs?: number;
}

export interface FaultRuleDefinition {
  readonly id: string;
  /** Full path of the method (/streamplane.catalog.v1.CatalogService/GetTitle); undefined: every method. */
  readonly method: string | undefined;
  readonly fault: InjectedFault;
  readonly percent: number;
  readonly ttlMs: number;
}

export interface FaultRule extends FaultRuleDefinition {
  readonly createdAt: Date;
  readonly expiresAt: Date;
  /** Calls the rule has delayed or failed so far. */
  readonly injectedCalls: number;
}

/** The gRPC service whose calls the rules may hit, and its method names (GetTitle, …). */
export interface FaultTarget {
  readonly grpcService: string;
  readonly methods: readonly string[];
}

/** One rule hitting one call. */
export interface FaultRuleHit {
  readonly ruleId: string;
  readonly fault: InjectedFault;
}

const NO_HITS: readonly FaultRuleHit[] = Object.freeze([]);

/** The rule a request describes, checked field by field; throws InvalidArgumentError naming the field. */
export function validateFaultRule(spec: FaultRuleSpec, target: FaultTarget): FaultRuleDefinition {
  const method = resolveMethod(spec.method ?? '', target);
  const fault = faultOf(spec);
  const percent = spec.percent;
  if (typeof percent !== 'number' || !Number.isFinite(percent) || percent <= 0 || percent > 100) {
    throw new InvalidArgumentError('percent', `must be above 0 and at most 100 (got ${String(percent)})`);
  }
  const ttlMs = spec.ttlMs ?? FAULT_RULE_LIMITS.defaultTtlMs;
  if (!Number.isFinite(ttlMs) || ttlMs < FAULT_RULE_LIMITS.minTtlMs || ttlMs > FAULT_RULE_LIMITS.maxTtlMs) {
    throw new InvalidArgumentError('ttl', `must be between 1 s and 1 h (got ${ttlMs / 1000} s); omit it for 10 min`);
  }
  const id = spec.ruleId ? requireId(spec.ruleId, 'rule_id') : derivedRuleId(fault, method);
  return { id, method, fault, percent, ttlMs };
}

/** "latency-GetTitle", "error-UNAVAILABLE-all": one rule per kind of fault and method unless named otherwise. */
function derivedRuleId(fault: InjectedFault, method: string | undefined): string {
  const methodName = method === undefined ? 'all' : method.slice(method.lastIndexOf('/') + 1);
  return fault.kind === 'latency' ? `latency-${methodName}` : `error-${GrpcStatus[fault.code]}-${methodName}`;
}

function resolveMethod(text: string, target: FaultTarget): string | undefined {
  const name = text.trim().replace(/^\//, '');
  if (name === '') return undefined;
  const slash = name.lastIndexOf('/');
  const serviceName = slash < 0 ? undefined : name.slice(0, slash);
  const methodName = name.slice(slash + 1);
  const shortServiceName = target.grpcService.slice(target.grpcService.lastIndexOf('.') + 1);
  if (serviceName !== undefined && serviceName !== target.grpcService && serviceName !== shortServiceName) {
    throw new InvalidArgumentError(
      'method',
      `${serviceName} is not served by this instance; rules apply to the methods of ${target.grpcService} only`,
    );
  }
  const method = target.methods.find((known) => known.toLowerCase() === methodName.toLowerCase());
  if (method === undefined) {
    throw new InvalidArgumentError(
      'method',
      `${shortServiceName} has no method ${JSON.stringify(methodName)} (it has ${target.methods.join(', ')})`,
    );
  }
  return `/${target.grpcService}/${method}`;
}

function faultOf({ errorCode, latencyMs }: FaultRuleSpec): InjectedFault {
  const code = errorCode?.trim() ?? '';
  const latency = latencyMs ?? 0;
  if (code !== '' && latency !== 0) {
    throw new InvalidArgumentError(
      'latency_ms',
      'a rule either fails calls (error_code) or delays them (latency_ms), not both',
    );
  }
  if (code !== '') return { kind: 'error', code: statusOfName(code) };
  if (latency === 0) {
    throw new InvalidArgumentError(
      'error_code',
      'set either error_code (a gRPC status name such as UNAVAILABLE) or latency_ms (a delay in ms)',
    );
  }
  const { minLatencyMs, maxLatencyMs } = FAULT_RULE_LIMITS;
  if (!Number.isInteger(latency) || latency < minLatencyMs || latency > maxLatencyMs) {
    throw new InvalidArgumentError(
      'latency_ms',
      `must be between ${minLatencyMs} and ${maxLatencyMs} ms (got ${latency})`,
    );
  }
  return { kind: 'latency', latencyMs: latency };
}

const FAULT_STATUS_NAMES = Object.keys(GrpcStatus).filter(
  (name) => Number.isNaN(Number(name)) && name !== 'OK',
) as Array<keyof typeof GrpcStatus>;

function statusOfName(name: string): GrpcStatus {
  const upper = name.toUpperCase();
  if (upper === 'OK') throw new InvalidArgumentError('error_code', 'OK is not a fault');
  const code = (FAULT_STATUS_NAMES as string[]).includes(upper)
    ? GrpcStatus[upper as keyof typeof GrpcStatus]
    : undefined;
  if (code === undefined) {
    throw new InvalidArgumentError(
      'error_code',
      `${JSON.stringify(name)} is not a gRPC status name (one of ${FAULT_STATUS_NAMES.join(', ')})`,
    );
  }
  return code;
}

interface HeldRule extends FaultRuleDefinition {
  createdAt: Date;
  expiresAtMs: number;
  injectedCalls: number;
}

/** The rules in force on one instance. */
export class FaultRuleSet {
  private readonly rules = new Map<string, HeldRule>();
  /** A rule for every method still means every method of the target: never health, reflection or the admin API. */
  private readonly targetPrefix: string;

  constructor(
    readonly target: FaultTarget,
    private readonly clock: Clock,
    private readonly random: () => number = Math.random,
  ) {
    this.targetPrefix = `/${target.grpcService}/`;
  }

  /** Adds the rule, or replaces the one with its id (its time to live and count start again). */
  set(spec: FaultRuleSpec): FaultRule {
    const definition = validateFaultRule(spec, this.target);
    const now = this.clock.now();
    this.dropExpired(now.getTime());
    if (!this.rules.has(definition.id) && this.rules.size >= FAULT_RULE_LIMITS.maxRules) {
      throw new ResourceExhaustedError(
        `this instance already holds ${FAULT_RULE_LIMITS.maxRules} fault rules; clear some before setting another`,
      );
    }
    const rule: HeldRule = {
      ...definition,
      createdAt: now,
      expiresAtMs: now.getTime() + definition.ttlMs,
      injectedCalls: 0,
    };
    this.rules.set(rule.id, rule);
    return snapshot(rule);
  }

  /** The rules in force, ordered by id. */
  list(): FaultRule[] {
    this.dropExpired(this.clock.now().getTime());
    return [...this.rules.values()].sort(byId).map(snapshot);
  }

  /** Removes the rule with `ruleId`, or every rule when it is empty; answers what was removed. */
  clear(ruleId = ''): FaultRule[] {
    const cleared = ruleId === '' ? this.list() : [this.inForce(requireId(ruleId, 'rule_id'))];
    for (const rule of cleared) this.rules.delete(rule.id);
    return cleared;
  }

  /**
   * The faults the rules inject into one call of `fullMethod` (/package.Service/Method): every rule in
   * force that matches it hits the call with its own independent draw, and counts the hit.
   */
  hitsFor(fullMethod: string): readonly FaultRuleHit[] {
    if (this.rules.size === 0 || !fullMethod.startsWith(this.targetPrefix)) return NO_HITS;
    this.dropExpired(this.clock.now().getTime());
    let hits: FaultRuleHit[] | undefined;
    for (const rule of this.rules.values()) {
      if (rule.method !== undefined && rule.method !== fullMethod) continue;
      if (this.random() * 100 >= rule.percent) continue;
      rule.injectedCalls += 1;
      (hits ??= []).push({ ruleId: rule.id, fault: rule.fault });
    }
    return hits ?? NO_HITS;
  }

  private inForce(ruleId: string): FaultRule {
    this.dropExpired(this.clock.now().getTime());
    const rule = this.rules.get(ruleId);
    if (!rule) throw new NotFoundError('fault rule', ruleId);
    return snapshot(rule);
  }

  private dropExpired(nowMs: number): void {
    for (const [id, rule] of this.rules) if (rule.expiresAtMs <= nowMs) this.rules.delete(id);
  }
}

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function snapshot(rule: HeldRule): FaultRule {
  const { expiresAtMs, ...rest } = rule;
  return { ...rest, expiresAt: new Date(expiresAtMs) };
}
