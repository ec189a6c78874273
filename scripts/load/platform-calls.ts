import { Metadata, status, type ChannelCredentials, type Client, type ServiceError } from '@grpc/grpc-js';
import { SERVICES, type ServiceName } from '@streamplane/contracts';
import { staticAddressVariable } from '@streamplane/platform';
import { plainGrpcClient } from '../grpc-client-constructor';
import { toolCredentials } from '../tool-credentials';

/**
 * How the load generator reaches the platform: one outcome per call, never a rejection, so that every
 * RPC sent is counted as answered OK or failed with a code. The gRPC adapter is an outside caller, like
 * an app: plain grpc-js channels, no resilience of its own (retries would hide what the platform does).
 */
export interface CallOutcome {
  /** gRPC code name: OK, UNAVAILABLE, … */
  code: string;
  response?: unknown;
  /** The status message of a failed call. */
  details?: string;
}

export interface PlatformCalls {
  call(service: ServiceName, method: string, request: object, metadata?: Record<string, string>): Promise<CallOutcome>;
  close(): void;
}

/** Deadline of each call the generator makes. */
const CALL_DEADLINE_MS = 10_000;

type UnaryMethod = (
  request: object,
  metadata: Metadata,
  options: { deadline: number },
  callback: (error: ServiceError | null, response: unknown) => void,
) => void;

/** Where each service is: `<SERVICE>_ADDR`, default 127.0.0.1 and its design port, as the services do. */
export function platformAddresses(env: NodeJS.ProcessEnv): Record<ServiceName, string> {
  return Object.fromEntries(
    (Object.keys(SERVICES) as ServiceName[]).map((name) => [
      name,
      env[staticAddressVariable(name)] ?? `127.0.0.1:${SERVICES[name].port}`,
    ]),
  ) as Record<ServiceName, string>;
}

/** Calls to the services at `addresses`, dialled with `creds` (by default, as STREAMPLANE_TLS says). */
export function grpcPlatformCalls(
  addresses: Record<ServiceName, string>,
  creds: ChannelCredentials = toolCredentials(),
): PlatformCalls {
  const clients = new Map<ServiceName, Client>();
  const clientOf = (service: ServiceName): Client => {
    let client = clients.get(service);
    if (!client) {
      const { grpcService, protoFile } = SERVICES[service];
      client = plainGrpcClient(grpcService, [protoFile], addresses[service], creds);
      clients.set(service, client);
    }
    return client;
  };
  return {
    call(service, method, request, metadata = {}) {
      const client = clientOf(service);
      const unary = (client as unknown as Record<string, UnaryMethod>)[method];
      if (typeof unary !== 'function') return Promise.resolve({ code: 'UNIMPLEMENTED' });
      const headers = new Metadata();
      for (const [key, value] of Object.entries(metadata)) headers.set(key, value);
      return new Promise((resolve) =>
        unary.call(client, request, headers, { deadline: Date.now() + CALL_DEADLINE_MS }, (error, response) =>
          resolve(error ? { code: status[error.code] ?? 'UNKNOWN', details: error.details } : { code: 'OK', response }),
        ),
      );
    },
    close() {
      for (const client of clients.values()) client.close();
    },
  };
}
