import {
  Server,
  ServerCredentials,
  status as GrpcStatus,
  type ServerUnaryCall,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { hostPort, type ReceivedSpan } from '../domain';
import { decodeTraceExport } from './otlp-decoding';

/** opentelemetry.proto.collector.trace.v1.TraceService, the one method an OTLP/gRPC trace exporter calls. */
const EXPORT = {
  path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  requestStream: false,
  responseStream: false,
  requestDeserialize: (bytes: Buffer): ReceivedSpan[] => decodeTraceExport(bytes),
  requestSerialize: (): Buffer => {
    throw new Error('the receiver never sends an Export request');
  },
  // An ExportTraceServiceResponse without partial_success: every span was accepted.
  responseSerialize: (): Buffer => Buffer.alloc(0),
  responseDeserialize: (): Record<string, never> => ({}),
} as const;

/** An exporter batches up to 512 spans; far below this, while a runaway message is refused whole. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/**
 * An OTLP/gRPC trace receiver (the collector side of OTEL_EXPORTER_OTLP_ENDPOINT, plaintext), handing each
 * request's spans to `receive`. A request that does not decode is answered INTERNAL by grpc-js.
 */
export class OtlpReceiver {
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async listen(host: string, port: number, receive: (spans: ReceivedSpan[]) => void): Promise<OtlpReceiver> {
    const server = new Server({ 'grpc.max_receive_message_length': MAX_MESSAGE_BYTES });
    server.addService(
      { Export: EXPORT },
      {
        Export: (call: ServerUnaryCall<ReceivedSpan[], unknown>, callback: sendUnaryData<Record<string, never>>) => {
          try {
            receive(call.request);
            callback(null, {});
          } catch (error) {
            callback({ code: GrpcStatus.INTERNAL, details: (error as Error).message }, null);
          }
        },
      },
    );
    const bound = await new Promise<number>((resolve, reject) =>
      server.bindAsync(hostPort(host, port), ServerCredentials.createInsecure(), (error, boundPort) =>
        error ? reject(error) : resolve(boundPort),
      ),
    );
    return new OtlpReceiver(server, bound);
  }

  /** Finishes the exports under way (at most `timeoutMs`), then closes. */
  close(timeoutMs = 1_000): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, timeoutMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
