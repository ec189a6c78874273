// The platform's public surface. Store plumbing that needs a driver has its own entry point
// (@streamplane/platform/postgres, @streamplane/platform/redis), so a service without a database never
// loads one; Consul's client is loaded only when STREAMPLANE_DISCOVERY=consul.
export * from './clock';
export * from './config/config';
export * from './config/secrets';
export * from './errors/domain-errors';
export * from './errors/grpc-status';
export * from './faults/faults';
export * from './faults/fault-rules';
export { FAULT_RULES_API } from './faults/fault-rules-service';
export * from './logging/logger';
export * from './paging';
export * from './proto/encoded-message';
export * from './proto/proto-loader';
export * from './proto/timestamp';
export * from './server/request-context';
export * from './server/platform.module';
export * from './server/readiness';
export * from './server/run-service';
export * from './server/service-descriptor';
export * from './security';
export * from './validation';
export * from './client';
export * from './limits';
export * from './discovery/discovery';
export * from './discovery/consul-health';
export * from './cache';
export * from './stores/store-guard';
export * from './telemetry/start-from-env';
export { traceHttpRequest } from './telemetry/http-telemetry';
export { exportServingHealth, LIVENESS_HEALTH_SERVICE } from './server/health';
export * from './telemetry/security-posture';
export * from './telemetry/certificate-expiry';
export { TRACE_ID_TRAILER } from './server/call-pipeline';
export { unaryHandlerOf, type NestGrpcHandler } from './server/nest-unary';
