import type { Client, ServiceError } from '@grpc/grpc-js';
import { plainGrpcClient } from './grpc-client-constructor';
import type { Health } from './supervisor';

/**
 * A plain grpc.health.v1 client and its one question, for those outside the platform that watch it: the
 * supervisor's probes (npm start) and the Chaos Monkey's outage check.
 */

export type GrpcHealthClient = Client & {
  Check(
    request: object,
    options: { deadline: number },
    callback: (error: ServiceError | null, response?: { status: string }) => void,
  ): void;
};

export function grpcHealthClient(address: string): GrpcHealthClient {
  return plainGrpcClient('grpc.health.v1.Health', [], address) as GrpcHealthClient;
}

/** The overall health (service ''), within `timeoutMs`; never rejects. */
export function checkGrpcHealth(client: GrpcHealthClient, timeoutMs = 1_000): Promise<Health> {
  return new Promise((resolve) =>
    client.Check({ service: '' }, { deadline: Date.now() + timeoutMs }, (error, response) => {
      if (error) resolve('UNREACHABLE');
      else resolve(response?.status === 'SERVING' ? 'SERVING' : 'NOT_SERVING');
    }),
  );
}
