import { Metadata, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import type { ServiceDescriptor } from '@streamplane/platform';
import { plainGrpcClient } from '@streamplane/tools';

/**
 * A plain gRPC client, standing in for an outside caller (an app, grpcurl). Services never build clients
 * like this; they use the platform's resilient client.
 */
export interface CallOptions {
  metadata?: Record<string, string>;
  /** Relative deadline in ms. */
  deadlineMs?: number;
}

export interface TestClient {
  call<Response = Record<string, unknown>>(method: string, request: object, options?: CallOptions): Promise<Response>;
  /** Resolves with the error a call fails with; rejects if the call succeeds. */
  fail(method: string, request: object, options?: CallOptions): Promise<ServiceError>;
  close(): void;
}

type UnaryMethod = (
  request: object,
  metadata: Metadata,
  options: { deadline?: number },
  callback: (error: ServiceError | null, response: unknown) => void,
) => void;

/** A client of a service's API, or of an API the platform serves beside it (PLATFORM_APIS). */
export function testClient(
  descriptor: Pick<ServiceDescriptor, 'protoFile' | 'grpcService'>,
  address: string,
  creds?: ChannelCredentials,
): TestClient {
  return clientFor([descriptor.protoFile], descriptor.grpcService, address, creds);
}

/** grpc.health.v1.Health, which every Streamplane server hosts. */
export function healthClient(address: string, creds?: ChannelCredentials): TestClient {
  return clientFor([], 'grpc.health.v1.Health', address, creds);
}

/** `creds`: plaintext unless given (a client certificate, under mutual TLS). */
function clientFor(protoFiles: string[], grpcService: string, address: string, creds?: ChannelCredentials): TestClient {
  const client = plainGrpcClient(grpcService, protoFiles, address, creds);

  const call = <Response>(method: string, request: object, options: CallOptions = {}): Promise<Response> => {
    const metadata = new Metadata();
    for (const [key, value] of Object.entries(options.metadata ?? {})) metadata.set(key, value);
    const deadline = Date.now() + (options.deadlineMs ?? 10_000);
    const unary = (client as unknown as Record<string, UnaryMethod>)[method];
    if (typeof unary !== 'function') throw new Error(`${grpcService} has no method ${method}`);
    return new Promise<Response>((resolve, reject) =>
      unary.call(client, request, metadata, { deadline }, (error, response) =>
        error ? reject(error) : resolve(response as Response),
      ),
    );
  };

  return {
    call,
    async fail(method, request, options) {
      try {
        await call(method, request, options);
      } catch (error) {
        return error as ServiceError;
      }
      throw new Error(`${method} succeeded but was expected to fail`);
    },
    close: () => client.close(),
  };
}
