import {
  status as GrpcStatus,
  type Server,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { toTimestamp, type TimestampMessage } from '../proto/timestamp';
import type { CallPipeline, UnaryHandler } from '../server/call-pipeline';
import { definitionForServing } from '../server/serving-definition';
import { refuseUnparsableRequests } from '../server/unparsable-requests';
import type { FaultRule, FaultRuleSet } from './fault-rules';

/**
 * streamplane.chaos.v1.FaultRulesService: the runtime fault rules of one instance over gRPC. Served by the
 * platform beside the service's own API, only with STREAMPLANE_FAULTS=enabled (run-service.ts), like
 * health; its proto is loaded with the service's own, so reflection lists it exactly when it is served.
 */
export const FAULT_RULES_API = {
  protoFile: 'streamplane/chaos/v1/chaos.proto',
  grpcService: 'streamplane.chaos.v1.FaultRulesService',
} as const;

/** google.protobuf.Duration as proto-loader decodes it (64-bit seconds as a string). */
interface DurationMessage {
  seconds?: string | number | null;
  nanos?: number | null;
}

interface SetFaultRuleRequest {
  rule_id: string;
  method: string;
  error_code: string;
  latency_ms: number;
  percent: number;
  ttl: DurationMessage | null;
}

interface FaultRuleMessage {
  rule_id: string;
  method: string;
  error_code: string;
  latency_ms: number;
  percent: number;
  created_at: TimestampMessage;
  expires_at: TimestampMessage;
  injected_calls: string;
}

/** Adds FaultRulesService over `rules` to `server`; every call runs through `pipeline` as an operator's. */
export function addFaultRulesService(
  server: Server,
  definition: PackageDefinition,
  rules: FaultRuleSet,
  pipeline: CallPipeline,
): void {
  const service = definitionForServing(definition)[FAULT_RULES_API.grpcService] as ServiceDefinition | undefined;
  if (!service) throw new Error(`${FAULT_RULES_API.grpcService} is not in the loaded protos`);
  const methods: Record<string, (request: never) => unknown> = {
    SetFaultRule: (request: SetFaultRuleRequest) =>
      toMessage(
        rules.set({
          ruleId: request.rule_id,
          method: request.method,
          errorCode: request.error_code,
          latencyMs: request.latency_ms,
          percent: request.percent,
          ttlMs: request.ttl ? durationToMs(request.ttl) : undefined,
        }),
      ),
    ListFaultRules: () => ({ rules: rules.list().map(toMessage) }),
    ClearFaultRules: (request: { rule_id: string }) => ({ cleared_rules: rules.clear(request.rule_id).map(toMessage) }),
  };
  const implementation: UntypedServiceImplementation = {};
  for (const [name, answer] of Object.entries(methods)) {
    const handler: UnaryHandler = (call, callback) => {
      try {
        callback(null, answer(call.request as never));
      } catch (error) {
        callback(error as Error);
      }
    };
    implementation[name] = pipeline.wrap(refuseUnparsableRequests(handler), 'operator');
  }
  server.addService(service, implementation);
}

function durationToMs({ seconds, nanos }: DurationMessage): number {
  return Number(seconds ?? 0) * 1000 + Math.trunc((nanos ?? 0) / 1_000_000);
}

function toMessage(rule: FaultRule): FaultRuleMessage {
  return {
    rule_id: rule.id,
    method: rule.method?.replace(/^\//, '') ?? '',
    error_code: rule.fault.kind === 'error' ? GrpcStatus[rule.fault.code] : '',
    latency_ms: rule.fault.kind === 'latency' ? rule.fault.latencyMs : 0,
    percent: rule.percent,
    created_at: toTimestamp(rule.createdAt),
    expires_at: toTimestamp(rule.expiresAt),
    injected_calls: String(rule.injectedCalls),
  };
}
