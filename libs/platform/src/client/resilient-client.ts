import {
  Client,
  credentials,
  Metadata,
  status as GrpcStatus,
  type ChannelCredentials,
  type ServiceError,
} from '@grpc/grpc-js';
import type { MethodDefinition, PackageDefinition } from '@grpc/proto-loader';
import { setTimeout as sleep } from 'node:timers/promises';
import { ResourceExhaustedError, UnavailableError } from '../errors/domain-errors';
import { AdaptiveThrottle } from '../limits/adaptive-throttle';
import { PRIORITY_METADATA_KEY } from '../limits/call-priority';
import { ConcurrencyLimiter, type AdmittedCall, type CallPriority } from '../limits/concurrency-limiter';
import { Gradient2Limit, type Gradient2Options } from '../limits/gradient2-limit';
import {
  isStatusError,
  pushbackMetadata,
  pushbackMsOf,
  statusError,
  statusName,
  type StatusError,
} from '../errors/grpc-status';
import { FAULT_METADATA_KEY, PREVIOUS_ATTEMPTS_KEY } from '../faults/faults';
import type { Logger } from '../logging/logger';
import { currentRequestContext, type RequestContext } from '../server/request-context';
import type { ServiceDescriptor } from '../server/service-descriptor';
import { DEFAULT_BACKOFF, fullJitterBackoff, type BackoffOptions } from './backoff';
import { breakerState, type BreakerRegistry } from './breakers';
import { CHANNEL_OPTIONS } from './channel-options';
import { emptyStats, type MethodStats } from './client-stats';
import { DEFAULT_RETRY_BUDGET, RetryBudget, type RetryBudgetOptions } from './retry-budget';
import { describePolicy, type DependencyPolicy } from './dependency-policy';
import type { MethodName, RequestOf, ResponseOf } from './method-types';
import { RpcTelemetry } from '../telemetry/rpc-telemetry';

export interface ResilienceOptions {
  /** Attempts per call, the first included. */
  maxAttempts: number;
  backoff: BackoffOptions;
  retryBudget: RetryBudgetOptions;
  /** Deadline of a call when the method has no budget of its own. */
  defaultBudgetMs: number;
  /** Per-method deadlines, e.g. { GetTitle: 300 }. */
  budgetsMs: Record<string, number>;
  /** Kept from the caller's own remaining deadline, so it can still answer after this call fails. */
  deadlineMarginMs: number;
}

export const DEFAULT_RESILIENCE: ResilienceOptions = {
  maxAttempts: 3,
  backoff: DEFAULT_BACKOFF,
  retryBudget: DEFAULT_RETRY_BUDGET,
  defaultBudgetMs: 1_000,
  budgetsMs: {},
  deadlineMarginMs: 20,
};

export interface CallOptions<Response> {
  /**
   * Runs instead of failing when the target is unavailable (UNAVAILABLE, DEADLINE_EXCEEDED, breaker open,
   * RESOURCE_EXHAUSTED, INTERNAL, UNKNOWN) — never for caller errors such as NOT_FOUND, which are answers.
   */
  fallback?: (error: StatusError) => Response | Promise<Response>;
  /** Extra request metadata (e.g. a forwarded authorization header). */
  metadata?: Record<string, string>;
  /** The call's priority; by default that of the call being served, or critical outside of one. */
  priority?: CallPriority;
}

export interface ClientDependencies {
  breakers: BreakerRegistry;
  logger: Logger;
  options?: Partial<ResilienceOptions>;
  random?: () => number;
  /** Spans and metrics; OpenTelemetry's no-op API when not given. */
  telemetry?: RpcTelemetry;
  /**
   * What the caller does when this target cannot answer (see DependencyPolicy); without one, failures
   * reach the caller as the target's own status.
   */
  policy?: DependencyPolicy;
  /** Single attempts with no breaker and no retries: only for the bench to measure what those cost. */
  withoutResilience?: boolean;
  /** The clock of client-side throttling (tests use a manual one). */
  now?: () => number;
  /**
   * True when this process honours x-streamplane-fault (STREAMPLANE_FAULTS=enabled): calls that carry the
   * header then have guards of their own (see TargetGuards). Off, the header cannot buy a caller a fresh
   * breaker.
   */
  faultCohorts?: boolean;
  /** How the channel dials (see channelCredentials): plaintext unless given. */
  credentials?: ChannelCredentials;
}

/**
 * The adaptive in-flight limit of one target: a bulkhead whose size follows the target's latency. It
 * starts small, so that a target that hangs holds only a handful of calls, each waiting its deadline,
 * while the calls after them are refused at once; it grows with the calls in flight while latency holds,
 * and shrinks when latency rises tenfold or calls run out of time (a hang, not a busy machine: shedding
 * load is the servers' own limits' work). The price of the small start: calls of a burst from idle wider
 * than it wait for a slot (retried after the pushback, within their attempts) until the limit has grown,
 * by about one per answered call; past their attempts they are refused (RESOURCE_EXHAUSTED: retry later).
 */
export const CLIENT_LIMIT: Partial<Gradient2Options> = {
  initialLimit: 20,
  minLimit: 20,
  maxLimit: 1_000,
  tolerance: 10,
};

const SERVICE_CONFIG = JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] });
/** How often a target with an open breaker is asked whether it is serving again. */
const HEALTH_PROBE_EVERY_MS = 200;
/**
 * grpc-js waits up to 120 s between reconnection attempts to a target that refused them; a target back
 * after an outage would wait out that backoff while its callers fail. Locally, a reconnection attempt to a
 * target that is still down costs a refused connect, so it is tried at least every 400 ms.
 */
const RECONNECT_BACKOFF = { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 400 };
const RETRYABLE = new Set<GrpcStatus>([GrpcStatus.UNAVAILABLE]);
const FALLBACK_ON = new Set<GrpcStatus>([
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.RESOURCE_EXHAUSTED,
  GrpcStatus.INTERNAL,
  GrpcStatus.UNKNOWN,
]);

/**
 * True when a call failed because its target could not answer (down, overloaded, too slow, breaker open)
 * rather than with an answer such as NOT_FOUND: what fallbacks run on and what "fail closed" turns into
 * UNAVAILABLE.
 */
export function isTargetUnreachable(error: unknown): error is StatusError {
  // Not isStatusError: a call fails with UNKNOWN when the target broke mid-answer, and that is an outage too.
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'number' && FALLBACK_ON.has(code);
}

type UnaryDefinition = MethodDefinition<unknown, unknown, unknown, unknown>;
type Breaker = ReturnType<BreakerRegistry['get']>;

/**
 * What protects one target from one cohort of calls: its breakers (one per method), its adaptive in-flight
 * limit, its client-side throttle and its retry budget. Ordinary calls share one set. Calls that carry an
 * injected fault (a ChAP experiment, a game day) get a set per fault header, as ChAP's experiment cohort
 * gets instances of its own: the failures injected into the experiment open the experiment's breakers and
 * spend its budgets, never those the control cohort's calls go through, so the comparison measures the
 * fault and not its spill-over.
 */
class TargetGuards {
  readonly breakers = new Map<string, Breaker>();
  readonly limiter = new ConcurrencyLimiter(new Gradient2Limit(CLIENT_LIMIT));
  readonly retryBudget: RetryBudget;
  readonly throttle: AdaptiveThrottle;

  /** `faults`: the fault header of the cohort; undefined for ordinary calls. */
  constructor(
    readonly faults: string | undefined,
    retryBudget: RetryBudgetOptions,
    now: (() => number) | undefined,
    random: () => number,
  ) {
    this.retryBudget = new RetryBudget(retryBudget);
    this.throttle = new AdaptiveThrottle({}, now, random);
  }

  /** The name of a breaker of this cohort in logs, metrics and the registry. */
  breakerKey(target: string, method: string): string {
    return this.faults === undefined ? `${target}/${method}` : `${target}/${method} [faults: ${this.faults}]`;
  }
}

/**
 * Fault cohorts kept per target; the one used least recently goes when another arrives (experiments run one
 * or two at once, so only a run of distinct ad-hoc headers ever retires one).
 */
const MAX_FAULT_COHORTS = 8;

/**
 * The only way a Streamplane service calls another. Per call, from the outside in: a deadline (the
 * method's budget, capped by the caller's remaining deadline), retries (UNAVAILABLE only, or
 * RESOURCE_EXHAUSTED with server pushback; full-jitter backoff; never past the deadline, never through an
 * open breaker, within the target's retry budget; calls that change state only when their request carries
 * an idempotency_key), one circuit breaker per target method, an optional fallback, and round-robin load
 * balancing over the instances discovery returns.
 */
export class ResilientClient<Definition> {
  private readonly channel: Client;
  private readonly options: ResilienceOptions;
  private readonly stats = new Map<string, MethodStats>();
  private readonly random: () => number;
  private readonly telemetry: RpcTelemetry;
  /** The guards of ordinary calls. */
  private readonly guards: TargetGuards;
  /** The guards of calls carrying injected faults, by fault header (oldest first). */
  private readonly faultCohorts = new Map<string, TargetGuards>();
  private probing = false;
  private closed = false;
  /** When the target began failing to answer, while it does; logged once per transition. */
  private unreachableSince?: number;

  constructor(
    readonly target: ServiceDescriptor,
    private readonly channelTarget: string,
    private readonly definition: PackageDefinition,
    private readonly deps: ClientDependencies,
  ) {
    this.options = { ...DEFAULT_RESILIENCE, ...deps.options };
    this.options.budgetsMs = { ...deps.policy?.budgetsMs, ...deps.options?.budgetsMs } as Record<string, number>;
    this.random = deps.random ?? Math.random;
    this.telemetry = deps.telemetry ?? new RpcTelemetry();
    this.guards = new TargetGuards(undefined, this.options.retryBudget, deps.now, this.random);
    this.telemetry.observeLimiter({ side: 'client', target: target.name }, this.guards.limiter);
    this.channel = new Client(channelTarget, deps.credentials ?? credentials.createInsecure(), {
      ...CHANNEL_OPTIONS,
      'grpc.service_config': SERVICE_CONFIG,
      ...RECONNECT_BACKOFF,
      // Resilience is done here, once; grpc-js's own retries would multiply attempts behind our back.
      'grpc.enable_retries': 0,
    });
  }

  /**
   * Calls `method`. When the target cannot answer, the call-level `fallback` runs if given; otherwise a
   * fail-closed dependency fails with UNAVAILABLE naming it, and the target's own status reaches the caller
   * when no policy was declared.
   */
  async call<M extends MethodName<Definition>>(
    method: M,
    request: RequestOf<Definition, M>,
    options: CallOptions<ResponseOf<Definition, M>> = {},
  ): Promise<ResponseOf<Definition, M>> {
    const stats = this.statsOf(method);
    stats.calls += 1;
    return this.telemetry.inCallSpan(this.target.name, method, async (span) => {
      const attemptsBefore = stats.attempts;
      try {
        const answer = (await this.callWithRetries(method, request as object, options)) as ResponseOf<Definition, M>;
        this.noteAnswering();
        return answer;
      } catch (error) {
        const failure = asStatusError(error);
        if (!isTargetUnreachable(failure)) {
          this.noteAnswering();
          throw failure;
        }
        this.noteUnreachable(method, failure);
        if (options.fallback) {
          this.note('fallback', method, { code: statusName(failure.code), details: failure.details });
          return options.fallback(failure);
        }
        const policy = this.deps.policy?.whenUnavailable;
        if (policy?.kind === 'fail-closed') {
          this.note('fail_closed', method, { code: statusName(failure.code), details: failure.details });
          // The caller gets a sentence naming the dependency; the target's own words (socket errors,
          // library messages) are in the log line of the outage, never in an answer.
          if (failure.code === GrpcStatus.RESOURCE_EXHAUSTED) {
            throw new ResourceExhaustedError(
              `${this.target.name} is overloaded; retry later`,
              pushbackMsOf(failure.metadata),
            );
          }
          throw new UnavailableError(`${this.target.name} ${policy.reason}`);
        }
        throw failure;
      } finally {
        span.setAttribute('streamplane.attempts', stats.attempts - attemptsBefore);
      }
    });
  }

  /**
   * Calls `method` of a dependency declared `degrade(feature)`: its answer, or undefined when the target
   * cannot answer (counted as a fallback). Answers such as NOT_FOUND still throw.
   */
  async optional<M extends MethodName<Definition>>(
    method: M,
    request: RequestOf<Definition, M>,
  ): Promise<ResponseOf<Definition, M> | undefined> {
    if (this.deps.policy?.whenUnavailable.kind !== 'degrade') {
      throw new Error(`${this.target.name} is not declared degrade(...): optional() needs a feature to go without`);
    }
    return this.call(method, request, { fallback: () => undefined as ResponseOf<Definition, M> });
  }

  /** Counters for one method of this target. */
  statsOf(method: string): MethodStats {
    let stats = this.stats.get(method);
    if (!stats) {
      stats = emptyStats();
      this.stats.set(method, stats);
    }
    return stats;
  }

  close(): void {
    this.closed = true;
    this.channel.close();
  }

  /**
   * While a breaker of this target is open, asks the target's health (grpc.health.v1) every
   * HEALTH_PROBE_EVERY_MS; the first SERVING answer closes the open breakers, so the first call after the
   * target is back need not wait out a reset timeout that has grown during a long outage.
   */
  private probeWhileOpen(): void {
    if (this.probing) return;
    this.probing = true;
    const next = (): void => void setTimeout(probe, HEALTH_PROBE_EVERY_MS).unref();
    const probe = (): void => {
      const open = [this.guards, ...this.faultCohorts.values()]
        .flatMap((guards) => [...guards.breakers.values()])
        .filter((breaker) => !breaker.closed);
      if (open.length === 0 || this.closed) {
        this.probing = false;
        return;
      }
      void this.isServing().then((serving) => {
        if (!serving || this.closed) return next();
        this.probing = false;
        this.deps.logger.info(`${this.target.name} answers its health check again; closing its breakers`, {
          target: this.target.name,
        });
        for (const breaker of open) breaker.close();
      });
    };
    next();
  }

  private isServing(): Promise<boolean> {
    const check = (this.definition['grpc.health.v1.Health'] as Record<string, UnaryDefinition> | undefined)?.Check;
    if (!check) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.channel.makeUnaryRequest(
        check.path,
        check.requestSerialize as (value: object) => Buffer,
        check.responseDeserialize as (bytes: Buffer) => unknown,
        { service: this.target.grpcService },
        new Metadata(),
        { deadline: Date.now() + HEALTH_PROBE_EVERY_MS },
        (error: ServiceError | null, response?: unknown) =>
          resolve(!error && (response as { status?: unknown } | undefined)?.status === 'SERVING'),
      );
    });
  }

  private async callWithRetries(method: string, request: object, options: CallOptions<unknown>): Promise<unknown> {
    const definition = this.methodDefinition(method);
    const context = currentRequestContext();
    const deadline = this.deadlineFor(method, context?.deadline ?? Infinity);
    const priority = options.priority ?? context?.priority ?? 'critical';
    const metadata = this.metadataFor(options, context?.metadata, priority);
    const mayRetry = isSafeToRepeat(definition) || hasIdempotencyKey(request);
    const guards = this.guardsFor(metadata);
    const breaker = this.breakerFor(guards, method);
    const stats = this.statsOf(method);
    if (this.deps.withoutResilience) {
      stats.attempts += 1;
      return this.attempt(definition, request, metadata, deadline, 1, context, guards, undefined);
    }
    guards.retryBudget.recordRequest();

    for (let attempt = 1; ; attempt++) {
      if (Date.now() >= deadline) {
        throw statusError(GrpcStatus.DEADLINE_EXCEEDED, `no time left to call ${this.target.name}/${method}`);
      }
      // Throttling is final for the call: retrying into it would only add load. Retries have their own
      // budget and follow the target's pushback, so only first attempts are throttled.
      if (attempt === 1 && guards.throttle.rejectsNext()) {
        this.note('throttled', method);
        throw statusError(
          GrpcStatus.RESOURCE_EXHAUSTED,
          `${this.target.name} is refusing most calls; this one was not sent (client-side throttling)`,
        );
      }
      const admitted = guards.limiter.tryAcquire(priority);
      let failure: StatusError;
      if (!admitted) {
        this.note('limit_refused', method);
        // Too much in flight towards this target, so this side is the one to come back to later: the
        // caller's answer is "overloaded, retry later" (with when), not an outage of a target that may
        // be answering every call it was sent. Within the call's own attempts it is tried again after
        // that pushback: a burst wider than the limit is served as slots free up, while behind a hung
        // target the slots stay taken and the retries (within the retry budget) end in the refusal.
        failure = statusError(
          GrpcStatus.RESOURCE_EXHAUSTED,
          `${this.target.name} has ${guards.limiter.inFlight} calls in flight, its adaptive limit; this one was not sent`,
          pushbackMetadata(guards.limiter.retryAfterMs),
        );
      } else {
        try {
          return await breaker.fire(() => {
            stats.attempts += 1;
            return this.attempt(definition, request, metadata, deadline, attempt, context, guards, admitted);
          });
        } catch (error) {
          // Settled already when the attempt went out; an attempt the breaker never let out leaves its slot.
          admitted.ignored();
          if (isBreakerRejection(error)) {
            // Open, or half-open with its one trial call already out: fail fast, and never retry into it.
            this.note('breaker_rejected', method);
            throw statusError(GrpcStatus.UNAVAILABLE, `circuit breaker for ${this.target.name}/${method} is open`);
          }
          failure = asStatusError(error);
        }
      }
      // A call refused here was never sent, so it may be tried again whatever the method changes.
      const delay = this.retryDelay(failure, attempt, mayRetry || !admitted, deadline, breaker.opened);
      if (delay === undefined) throw failure;
      if (!guards.retryBudget.tryAcquireRetry()) {
        this.note('retry_budget_exhausted', method);
        throw failure;
      }
      this.note('retry', method, { attempt: attempt + 1, backoff_ms: delay, code: statusName(failure.code) });
      await sleep(delay, undefined, context?.signal ? { signal: context.signal } : undefined).catch(() => {
        throw statusError(GrpcStatus.CANCELLED, `the call to ${this.target.name}/${method} was cancelled`);
      });
    }
  }

  /** How long to wait before the next attempt, or undefined when the failure must not be retried. */
  private retryDelay(
    failure: StatusError,
    attempt: number,
    mayRetry: boolean,
    deadline: number,
    breakerOpen: boolean,
  ): number | undefined {
    if (attempt >= this.options.maxAttempts || !mayRetry || breakerOpen) return undefined;
    let delay: number;
    if (RETRYABLE.has(failure.code)) {
      delay = fullJitterBackoff(attempt - 1, this.options.backoff, this.random);
    } else if (failure.code === GrpcStatus.RESOURCE_EXHAUSTED) {
      // Only a server that says when to come back (gRPC's retry pushback) is retried when overloaded.
      const pushback = pushbackMsOf(failure.metadata);
      if (pushback === undefined) return undefined;
      delay = pushback;
    } else {
      return undefined;
    }
    return Date.now() + delay < deadline ? delay : undefined;
  }

  private attempt(
    definition: UnaryDefinition,
    request: object,
    baseMetadata: Metadata,
    deadline: number,
    attempt: number,
    caller: RequestContext | undefined,
    guards: TargetGuards,
    admitted: AdmittedCall | undefined,
  ): Promise<unknown> {
    // Each attempt gets its own trace context header; the first may write into the call's own metadata.
    const metadata = attempt === 1 ? baseMetadata : baseMetadata.clone();
    if (attempt > 1) metadata.set(PREVIOUS_ATTEMPTS_KEY, String(attempt - 1));
    const span = this.telemetry.startAttemptSpan(definition.path, attempt, this.channelTarget, metadata);
    const startedAt = performance.now();
    return new Promise((resolve, reject) => {
      // Set once the call exists; its answer may come only after that.
      const cancellation: { stopListening?: () => void } = {};
      const call = this.channel.makeUnaryRequest(
        definition.path,
        definition.requestSerialize as (value: object) => Buffer,
        definition.responseDeserialize as (bytes: Buffer) => unknown,
        request,
        metadata,
        { deadline },
        (error: ServiceError | null, response?: unknown) => {
          cancellation.stopListening?.();
          const code = error ? error.code : GrpcStatus.OK;
          const durationMs = performance.now() - startedAt;
          guards.throttle.answered(code !== GrpcStatus.RESOURCE_EXHAUSTED);
          if (code === GrpcStatus.DEADLINE_EXCEEDED) admitted?.dropped();
          else if (code === GrpcStatus.UNAVAILABLE || code === GrpcStatus.RESOURCE_EXHAUSTED)
            admitted?.failed(durationMs);
          else admitted?.completed(durationMs);
          this.telemetry.endAttemptSpan(
            span,
            definition.path,
            this.target.name,
            code,
            error?.details ?? '',
            durationMs,
          );
          if (error) reject(error);
          else resolve(response);
        },
      );
      // The caller has gone: stop the work it asked for downstream too.
      cancellation.stopListening = caller?.whenCancelled(() => call.cancel());
    });
  }

  /** The first failure to answer after answers: logged once, with what the caller does about it. */
  private noteUnreachable(method: string, failure: StatusError): void {
    if (this.unreachableSince !== undefined) return;
    this.unreachableSince = Date.now();
    const policy = this.deps.policy?.whenUnavailable;
    this.deps.logger.warn(`${this.target.name} cannot answer${policy ? `; ${describePolicy(policy)}` : ''}`, {
      target: this.target.name,
      method,
      code: statusName(failure.code),
      details: failure.details,
    });
  }

  private noteAnswering(): void {
    if (this.unreachableSince === undefined) return;
    this.deps.logger.info(`${this.target.name} answers again`, {
      target: this.target.name,
      unreachable_ms: Date.now() - this.unreachableSince,
    });
    this.unreachableSince = undefined;
  }

  /** One resilience event: counted for tests, exported as a metric, put on the call's span, logged. */
  private note(
    event:
      | 'retry'
      | 'retry_budget_exhausted'
      | 'breaker_rejected'
      | 'throttled'
      | 'limit_refused'
      | 'fallback'
      | 'fail_closed',
    method: string,
    details: Record<string, string | number> = {},
  ): void {
    const stats = this.statsOf(method);
    if (event === 'retry') stats.retries += 1;
    else if (event === 'retry_budget_exhausted') stats.retryBudgetExhausted += 1;
    else if (event === 'breaker_rejected') stats.breakerRejections += 1;
    else if (event === 'throttled') stats.throttled += 1;
    else if (event === 'limit_refused') stats.limitRefusals += 1;
    else if (event === 'fallback') stats.fallbacks += 1;
    else stats.failedClosed += 1;
    this.telemetry.event(event, this.target.name, method, details);
    const fields = { target: this.target.name, method, ...details };
    if (event === 'retry') this.deps.logger.debug('retrying', fields);
    else if (event === 'retry_budget_exhausted') this.deps.logger.warn('retry budget exhausted', fields);
    else if (event === 'breaker_rejected') this.deps.logger.info('rejected by open circuit breaker', fields);
    else if (event === 'throttled' || event === 'limit_refused')
      this.deps.logger.debug('not sent', { ...fields, event });
    // Fallbacks and closed failures are logged once per outage (noteUnreachable), not once per call.
    else this.deps.logger.debug(event === 'fallback' ? 'fallback used' : 'failed closed', fields);
  }

  private deadlineFor(method: string, callerDeadline: number): number {
    const budget = this.options.budgetsMs[method] ?? this.options.defaultBudgetMs;
    return Math.min(Date.now() + budget, callerDeadline - this.options.deadlineMarginMs);
  }

  private metadataFor(options: CallOptions<unknown>, incoming: Metadata | undefined, priority: CallPriority): Metadata {
    const metadata = new Metadata();
    for (const fault of incoming?.get(FAULT_METADATA_KEY) ?? []) metadata.add(FAULT_METADATA_KEY, fault);
    // A call without the header is critical: only a lowered priority needs the bytes on every hop.
    if (priority !== 'critical') metadata.set(PRIORITY_METADATA_KEY, priority);
    for (const [key, value] of Object.entries(options.metadata ?? {})) metadata.set(key, value);
    return metadata;
  }

  private methodDefinition(method: string): UnaryDefinition {
    const service = this.definition[this.target.grpcService] as Record<string, UnaryDefinition> | undefined;
    const definition = service?.[method];
    if (!definition) throw new Error(`${this.target.grpcService} has no method ${method}`);
    return definition;
  }

  /** The guards of the call's cohort: its own when it carries injected faults and this process honours them. */
  private guardsFor(metadata: Metadata): TargetGuards {
    if (!this.deps.faultCohorts) return this.guards;
    const values = metadata.get(FAULT_METADATA_KEY);
    if (values.length === 0) return this.guards;
    const faults = values.map(String).join(',');
    let guards = this.faultCohorts.get(faults);
    if (guards) {
      // Most recently used last: the map's first entry is the one to retire.
      this.faultCohorts.delete(faults);
    } else {
      if (this.faultCohorts.size >= MAX_FAULT_COHORTS) {
        const [oldest, retired] = this.faultCohorts.entries().next().value as [string, TargetGuards];
        this.faultCohorts.delete(oldest);
        for (const method of retired.breakers.keys()) {
          this.deps.breakers.release(retired.breakerKey(this.target.name, method));
        }
      }
      guards = new TargetGuards(faults, this.options.retryBudget, this.deps.now, this.random);
    }
    this.faultCohorts.set(faults, guards);
    return guards;
  }

  private breakerFor(guards: TargetGuards, method: string): Breaker {
    let breaker = guards.breakers.get(method);
    if (!breaker) {
      const key = guards.breakerKey(this.target.name, method);
      const created = this.deps.breakers.get(key);
      const stats = this.statsOf(method);
      const onTransition = (): void => {
        const state = breakerState(created);
        stats.breakerTransitions.push(state);
        this.telemetry.breakerState(key, state);
        const fields = { breaker: key, state };
        if (state === 'open') {
          this.deps.logger.warn('circuit breaker opened', fields);
          this.probeWhileOpen();
        } else this.deps.logger.info('circuit breaker state changed', fields);
      };
      this.telemetry.breakerState(key, breakerState(created));
      created.on('open', onTransition);
      created.on('halfOpen', onTransition);
      created.on('close', onTransition);
      guards.breakers.set(method, created);
      breaker = created;
    }
    return breaker;
  }
}

/** Declared in the proto with `option idempotency_level = NO_SIDE_EFFECTS` (reads) or `IDEMPOTENT`. */
function isSafeToRepeat(definition: UnaryDefinition): boolean {
  const level = definition.options?.idempotency_level;
  return level === 'NO_SIDE_EFFECTS' || level === 'IDEMPOTENT';
}

function hasIdempotencyKey(request: object): boolean {
  const key = (request as { idempotency_key?: unknown }).idempotency_key;
  return typeof key === 'string' && key !== '';
}

function isBreakerRejection(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  // ESHUTDOWN: the breaker of a fault cohort retired while this call was between attempts.
  return code === 'EOPENBREAKER' || code === 'ESHUTDOWN';
}

function asStatusError(error: unknown): StatusError {
  if (isStatusError(error) || (error as { code?: unknown })?.code === GrpcStatus.UNKNOWN) {
    const serviceError = error as ServiceError;
    return statusError(
      serviceError.code,
      serviceError.details ?? serviceError.message,
      serviceError.metadata ?? new Metadata(),
    );
  }
  return statusError(GrpcStatus.INTERNAL, (error as Error)?.message ?? String(error));
}
