/* eslint-disable no-console -- a benchmark process: it announces its port on stdout */
import {
  Metadata,
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type ServiceError,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { loadProtos } from '@streamplane/platform';
import { plainGrpcClient } from '@streamplane/tools';

/**
 * The bare floor of the play path: the same fan-out written with nothing but grpc-js. A `leaf` replays
 * recorded answers for one service; `playback` answers AuthorizePlayback by asking the six calls of the
 * real play path of the leaves in parallel and then replaying the recorded grant, and StopPlayback at
 * once. No framework, no breakers, no retries, no telemetry, no validation: what a play costs in transport
 * and serialisation alone, so that the platform's overhead has something to be measured against.
 */

export interface FloorConfig {
  role: 'leaf' | 'playback';
  grpcService: string;
  protoFile: string;
  /** Recorded answers by method name. */
  answers: Record<string, unknown>;
  /** For `playback`: the six calls it makes, each to a leaf's address. */
  fanOut?: Array<{ address: string; grpcService: string; protoFile: string; method: string; request: unknown }>;
}

type Unary = (
  request: unknown,
  metadata: Metadata,
  callback: (error: ServiceError | null, response: unknown) => void,
) => void;

function main(): void {
  const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as FloorConfig;
  const definition = loadProtos([config.protoFile]).definition[config.grpcService] as unknown as ServiceDefinition;
  const calls = (config.fanOut ?? []).map((call) => {
    const client = plainGrpcClient(call.grpcService, [call.protoFile], call.address);
    return { client, method: (client as unknown as Record<string, Unary>)[call.method]!, request: call.request };
  });
  const implementation: UntypedServiceImplementation = {};
  for (const method of Object.keys(definition)) {
    implementation[method] = (_call: unknown, callback: (error: null, response: unknown) => void) =>
      callback(null, config.answers[method] ?? {});
  }
  if (config.role === 'playback') {
    implementation.AuthorizePlayback = (
      _call: unknown,
      callback: (error: ServiceError | null, response?: unknown) => void,
    ) => {
      let pending = calls.length;
      let failed: ServiceError | null = null;
      for (const { client, method, request } of calls) {
        method.call(client, request, new Metadata(), (error) => {
          failed ??= error;
          if (--pending === 0) callback(failed, failed ? undefined : config.answers.AuthorizePlayback);
        });
      }
    };
  }
  const server = new Server();
  server.addService(definition, implementation);
  server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
    if (error) throw error;
    console.log(`listening ${port}`);
  });
  process.once('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
}

main();
