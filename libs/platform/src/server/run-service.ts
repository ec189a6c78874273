import 'reflect-metadata';
import { Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { ConfigError, EXIT_BAD_CONFIG, loadConfig, staticAddressSchema, type PlatformConfig } from '../config/config';
import { FaultInjector } from '../faults/faults';
import { FaultRuleSet } from '../faults/fault-rules';
import { addFaultRulesService, FAULT_RULES_API } from '../faults/fault-rules-service';
import { systemClock } from '../clock';
import { Logger, NestLoggerAdapter } from '../logging/logger';
import { loadProtos } from '../proto/proto-loader';
import { addReflection } from '../reflection/reflection';
import type { Dependency } from '../client/dependency-policy';
import { ServiceClients } from '../client/service-clients';
import { createDiscovery, type Discovery } from '../discovery/discovery';
import { splitGrpcService, type ServiceDescriptor } from './service-descriptor';
import { CallPipeline } from './call-pipeline';
import { ConcurrencyLimiter } from '../limits/concurrency-limiter';
import { Gradient2Limit } from '../limits/gradient2-limit';
import { HandToPipelineFilter } from './error-filter';
import { PlatformGrpcTransport, type DrainOutcome } from './grpc-transport';
import { HealthReporter } from './health';
import { Readiness } from './readiness';
import { RpcTelemetry } from '../telemetry/rpc-telemetry';
import { observeCertificate } from '../telemetry/certificate-expiry';
import { exportSecurityPosture, securityPostureOf } from '../telemetry/security-posture';
import { startTelemetryFromEnv } from '../telemetry/start-from-env';
import { PlatformModule } from './platform.module';
import { CallerAuthorization } from '../security/caller-authorization';
import { loadTransportSecurity, serverCredentials } from '../security/transport-security';

/**
 * The latency a served call should stay under: a quarter of the play path's 800 ms dependency budgets,
 * so that calls admitted under load still answer well within their callers' deadlines.
 */
const SERVER_SLOW_CALL_MS = 200;

export interface ServiceOptions<Schema extends z.ZodType<PlatformConfig>> {
  service: ServiceDescriptor;
  /** The service's Nest module: its controller and domain providers. */
  module: Type<unknown>;
  /** The platform schema extended with the service's own variables. */
  configSchema: Schema;
  /**
   * The services this one calls, each with its policy (see DependencyPolicy); their resilient clients are
   * injectable as ServiceClients.
   */
  dependencies?: readonly Dependency[];
  /**
   * Methods that are batch work (fill plans, demand predictions, fleet listings): sheddable, refused
   * first when the server is over its concurrency limit.
   */
  sheddableMethods?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

export interface RunningService {
  readonly port: number;
  /** The plaintext health port (HEALTH_PORT). */
  readonly healthPort: number;
  readonly logger: Logger;
  /** Whether the process should stop when its stdin closes (STREAMPLANE_EXIT_WITH_PARENT). */
  readonly exitWithParent: boolean;
  /** Health NOT_SERVING, refuse new calls, drain in-flight ones (bounded), close. */
  shutdown(reason: string): Promise<DrainOutcome>;
}

/**
 * Boots one Streamplane service: validated config, telemetry, JSON logs, the NestJS gRPC server with
 * health and reflection, resilient clients for its declared dependencies, registration with discovery,
 * and a shutdown that loses no in-flight call and flushes its spans.
 */
export async function startService<Schema extends z.ZodType<PlatformConfig>>(
  options: ServiceOptions<Schema>,
): Promise<RunningService> {
  const env = options.env ?? process.env;
  const dependencies = options.dependencies ?? [];
  const addressSchema = staticAddressSchema(dependencies.map(({ service }) => service.name));
  // One validation, so that every bad variable is named at once: the service's own and its peers' addresses.
  const config = loadConfig(options.configSchema.and(addressSchema), env);
  // Normally already started by the --require preload; started here for a process launched without it.
  const telemetry = startTelemetryFromEnv(options.service, env);
  const rpcTelemetry = new RpcTelemetry();
  const logger = new Logger(options.service.name, config.LOG_LEVEL);
  const security = loadTransportSecurity(config);
  // Its callers check that they reached the service they meant by this identity: a wrong one would fail
  // every call to it, far from the cause.
  if (security.mode === 'mutual-tls' && security.identity !== options.service.name) {
    throw new ConfigError([
      `STREAMPLANE_TLS_DIR: tls.crt is the certificate of ${security.identity}, not of ${options.service.name}`,
    ]);
  }
  const { packageName } = splitGrpcService(options.service);
  const faultsEnabled = config.STREAMPLANE_FAULTS === 'enabled';
  // The fault rules API's proto is loaded only where it is served, so that reflection lists it exactly then.
  const protos = loadProtos(
    faultsEnabled ? [options.service.protoFile, FAULT_RULES_API.protoFile] : [options.service.protoFile],
  );
  const health = new HealthReporter([options.service.grpcService]);
  const readiness = new Readiness(logger);
  const discovery = createDiscovery(config, logger, config);
  const withoutResilience = config.STREAMPLANE_BENCH_WITHOUT === 'resilience';
  if (withoutResilience) {
    logger.warn('STREAMPLANE_BENCH_WITHOUT=resilience: outbound calls have no breakers and no retries (bench only)');
  }
  const clients = new ServiceClients(dependencies, discovery, logger, {
    security,
    telemetry: rpcTelemetry,
    withoutResilience,
    faultCohorts: faultsEnabled,
  });
  const service = protos.definition[options.service.grpcService] as Record<string, unknown>;
  for (const method of options.sheddableMethods ?? []) {
    if (!(method in service))
      throw new Error(`sheddableMethods: ${options.service.grpcService} has no method ${method}`);
  }
  const faultRules = faultsEnabled
    ? new FaultRuleSet({ grpcService: options.service.grpcService, methods: Object.keys(service) }, systemClock)
    : undefined;
  // Answered within the slow-call threshold is answered well enough, however much slower than usual: a
  // server busier than before takes the extra callers instead of turning them away to retry. Past it,
  // Gradient2 and the drops shrink the limit.
  const limiter = new ConcurrencyLimiter(new Gradient2Limit({ acceptableRttMs: SERVER_SLOW_CALL_MS }), {
    slowCallMs: SERVER_SLOW_CALL_MS,
  });
  rpcTelemetry.observeLimiter({ side: 'server' }, limiter);
  const pipeline = new CallPipeline(
    logger,
    new FaultInjector(options.service.name, faultsEnabled, logger, faultRules),
    rpcTelemetry,
    {
      limiter,
      serviceName: options.service.name,
      sheddableMethods: new Set(
        (options.sheddableMethods ?? []).map((method) => `/${options.service.grpcService}/${method}`),
      ),
      // Without TLS there is no caller identity to judge: plaintext stays as open as it always was.
      authorization:
        security.mode === 'mutual-tls'
          ? new CallerAuthorization(options.service.authorizedCallers?.() ?? {}, logger, rpcTelemetry)
          : undefined,
    },
  );
  const transport = new PlatformGrpcTransport({
    host: config.GRPC_HOST,
    port: config.GRPC_PORT ?? options.service.port,
    packageName,
    packageDefinition: protos.definition,
    pipeline,
    credentials: serverCredentials(security),
    onServerCreated: (server) => {
      health.addToServer(server);
      if (faultRules) addFaultRulesService(server, protos.definition, faultRules, pipeline);
      addReflection(server, protos);
    },
  });

  @Module({ imports: [PlatformModule.forRoot(config, logger, clients, readiness, protos.definition), options.module] })
  class ApplicationModule {}

  const app: INestMicroservice = await NestFactory.createMicroservice(ApplicationModule, {
    strategy: transport,
    logger: new NestLoggerAdapter(logger),
    abortOnError: false,
  });
  app.useGlobalFilters(new HandToPipelineFilter());
  await app.listen();
  // After the service port, as when health was served there alone: whatever answers health also serves.
  const healthPort = await health
    .servePlaintext(
      config.GRPC_HOST,
      config.HEALTH_PORT ?? (config.GRPC_PORT === 0 ? 0 : (options.service.healthPort ?? 0)),
    )
    .catch(async (error: unknown) => {
      await app.close();
      throw error;
    });
  let stopping: Promise<DrainOutcome> | undefined;
  // Once shutdown has begun, health stays NOT_SERVING whatever the dependencies do.
  const followReadiness = (ready: boolean) => {
    if (!stopping) health.setAll(ready ? 'SERVING' : 'NOT_SERVING');
  };
  readiness.onChange(followReadiness);
  followReadiness(readiness.ready);
  health.markAlive();
  exportSecurityPosture(securityPostureOf(options.configSchema, config, env));
  observeCertificate(security, logger);
  const metrics = await telemetry.metricsAddress();
  logger.info('serving', {
    port: transport.port,
    host: config.GRPC_HOST,
    grpc_service: options.service.grpcService,
    metrics_port: metrics?.port,
    health_port: healthPort.port,
    tls: security.mode === 'mutual-tls' ? `mutual, as ${security.identity}` : 'disabled',
    otlp_endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    fault_injection: faultsEnabled ? `enabled, with ${FAULT_RULES_API.grpcService}` : 'disabled',
  });
  const registration = registerUntilDone(
    discovery,
    options.service,
    { port: transport.port, healthPort: healthPort.port },
    logger,
    config.CONSUL_REGISTRATION_CHECK_MS,
  );

  const shutdown = (reason: string): Promise<DrainOutcome> => {
    stopping ??= (async () => {
      logger.info('shutting down', { reason, in_flight: pipeline.inFlight });
      health.stopServing();
      registration.abort();
      await discovery.deregister();
      await sleep(config.SHUTDOWN_DELAY_MS);
      const drained = transport.drain(config.SHUTDOWN_DRAIN_MS);
      logger.info('draining', { in_flight: pipeline.inFlight, limit_ms: config.SHUTDOWN_DRAIN_MS });
      const outcome = await drained;
      await app.close();
      healthPort.close();
      clients.close();
      discovery.close();
      logger.info('stopped', { drain: outcome });
      await telemetry.shutdown();
      return outcome;
    })();
    return stopping;
  };
  return {
    port: transport.port,
    healthPort: healthPort.port,
    logger,
    exitWithParent: config.STREAMPLANE_EXIT_WITH_PARENT === 'true',
    shutdown,
  };
}

/**
 * Registers this instance with discovery, then keeps it registered. A registry that is not reachable yet
 * (Consul starting after the service) must not stop the service from serving, so registration is retried
 * in the background; afterwards the instance checks every CONSUL_REGISTRATION_CHECK_MS that the agent
 * still knows it (an agent restarted without state forgets everyone) and registers again if not.
 */
function registerUntilDone(
  discovery: Discovery,
  service: ServiceDescriptor,
  ports: { port: number; healthPort: number },
  logger: Logger,
  checkEveryMs: number,
): AbortController {
  const stop = new AbortController();
  const pause = (ms: number) => sleep(ms, undefined, { signal: stop.signal }).catch(() => undefined);
  void (async () => {
    for (let attempt = 1; !stop.signal.aborted; attempt++) {
      try {
        await discovery.register(service, ports.port, ports.healthPort);
        break;
      } catch (error) {
        const retryInMs = Math.min(30_000, 500 * 2 ** (attempt - 1));
        logger.error('registration failed; retrying', {
          attempt,
          retry_in_ms: retryInMs,
          error: (error as Error).message,
        });
        await pause(retryInMs);
      }
    }
    while (!stop.signal.aborted) {
      await pause(checkEveryMs);
      if (stop.signal.aborted) break;
      await discovery.ensureRegistered().catch((error: unknown) => {
        // The agent is unreachable: peers keep their last known instances; try again next round.
        logger.warn('registration check failed', { error: (error as Error).message });
      });
    }
  })();
  return stop;
}

/**
 * The entry point of a service process: starts it, and on SIGTERM or SIGINT shuts it down and exits 0.
 * A configuration error exits with EXIT_BAD_CONFIG and a message naming each bad variable.
 */
export function runService<Schema extends z.ZodType<PlatformConfig>>(options: ServiceOptions<Schema>): void {
  runProcess(options.service.name, () => startService(options));
}

/** What runProcess needs of a started process: its logger, whether to follow its parent, its shutdown. */
export type RunningProcess = Pick<RunningService, 'logger' | 'exitWithParent'> & {
  shutdown(reason: string): Promise<unknown>;
};

/**
 * The process lifecycle of anything the platform runs (a gRPC service, the HTTP edge): `start`, then on
 * SIGTERM or SIGINT (or, under a supervisor, stdin closing) shut down and exit 0; an uncaught exception
 * exits 1 for a clean restart; a configuration error exits EXIT_BAD_CONFIG naming each bad variable.
 */
export function runProcess(name: string, start: () => Promise<RunningProcess>): void {
  start().then(
    (running) => {
      const stop = (reason: string): void => {
        running.shutdown(reason).then(
          () => process.exit(0),
          (error: unknown) => {
            running.logger.error('shutdown failed', { error });
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      if (running.exitWithParent) {
        process.stdin.once('end', () => stop('stdin closed: the supervisor is gone')).resume();
      }
      process.on('uncaughtException', (error) => {
        // State may be corrupt: let the supervisor (Kubernetes, npm start) restart a clean process.
        running.logger.error('uncaught exception; exiting', { error });
        process.exit(1);
      });
    },
    (error: unknown) => {
      if (error instanceof ConfigError) {
        process.stderr.write(`${name}: ${error.message}\n`);
        process.exit(EXIT_BAD_CONFIG);
      }
      process.stderr.write(`${name}: failed to start: ${String((error as Error)?.stack ?? error)}\n`);
      process.exit(1);
    },
  );
}
