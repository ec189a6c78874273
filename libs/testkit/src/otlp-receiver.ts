/**
 * A test-only OTLP/gRPC trace receiver: stands in for Jaeger's OTLP port (4317) so tests can assert on the spans the
 * services export. It decodes requests with the real opentelemetry-proto schema (the protobufjs static code shipped
 * by `otlp-proto-schema`, an alias of @opentelemetry/otlp-transformer@0.52.1) and flattens them into a simple span
 * model whose ids are lowercase hex strings. Never used by product code.
 */
import { Server, ServerCredentials, status as GrpcStatus } from '@grpc/grpc-js';
import type { MethodDefinition, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import generatedRoot from 'otlp-proto-schema/build/src/generated/root.js';

export type AttributeValue = string | number | boolean | string[] | number[] | boolean[];
export type Attributes = Record<string, AttributeValue>;

export type SpanKindName = 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER' | 'UNSPECIFIED';
export type StatusCodeName = 'UNSET' | 'OK' | 'ERROR';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** '' for roots */
  parentSpanId: string;
  name: string;
  kind: SpanKindName;
  /** the resource attribute service.name ('' when absent) */
  service: string;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Attributes;
  events: Array<{ name: string; timeUnixNano: bigint; attributes: Attributes }>;
  status: { code: StatusCodeName; message: string };
  resource: Attributes;
  /** instrumentation scope name ('' when absent) */
  scope: string;
}

export interface OtlpReceiverOptions {
  /** answer Export with this gRPC status instead of OK, to test exporter failure */
  failWith?: number;
}

export const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

// ---------------------------------------------------------------------------------------------------------------
// The generated module's root.d.ts declares its export as a reflection `$protobuf.Root`, but at runtime it is the
// plain namespace object of the static code (`root.opentelemetry.proto...`, no lookupType), so that type is unusable.
// Only what this file reads is declared here. protobufjs decodes int64/fixed64 as `Long` objects (the `long` package
// is installed) — or plain numbers when it is not — and bytes as Buffers (Uint8Array in browsers).

/** The parts of a `long` Long this file uses. */
interface LongLike {
  low: number;
  high: number;
  unsigned: boolean;
}
type Int64 = LongLike | number | string | null | undefined;

interface DecodedAnyValue {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: Int64;
  doubleValue?: number | null;
  arrayValue?: { values?: DecodedAnyValue[] | null } | null;
  kvlistValue?: { values?: DecodedKeyValue[] | null } | null;
  bytesValue?: Uint8Array | null;
  /** the name of the set member of the `value` oneof */
  value?: string;
}
interface DecodedKeyValue {
  key?: string | null;
  value?: DecodedAnyValue | null;
}
interface DecodedSpan {
  traceId?: Uint8Array | null;
  spanId?: Uint8Array | null;
  parentSpanId?: Uint8Array | null;
  name?: string | null;
  kind?: number | null;
  startTimeUnixNano?: Int64;
  endTimeUnixNano?: Int64;
  attributes?: DecodedKeyValue[] | null;
  events?: Array<{ timeUnixNano?: Int64; name?: string | null; attributes?: DecodedKeyValue[] | null }> | null;
  status?: { message?: string | null; code?: number | null } | null;
}
export interface DecodedExportTraceServiceRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: DecodedKeyValue[] | null } | null;
    scopeSpans?: Array<{ scope?: { name?: string | null } | null; spans?: DecodedSpan[] | null }> | null;
  }> | null;
}
interface MessageCodec<T> {
  decode(bytes: Uint8Array): T;
  encode(message: T): { finish(): Uint8Array };
}
interface OtlpProtoRoot {
  opentelemetry: {
    proto: {
      collector: {
        trace: {
          v1: {
            ExportTraceServiceRequest: MessageCodec<DecodedExportTraceServiceRequest>;
            ExportTraceServiceResponse: MessageCodec<Record<string, never>>;
          };
        };
      };
    };
  };
}

const traceV1 = (generatedRoot as unknown as OtlpProtoRoot).opentelemetry.proto.collector.trace.v1;

export function decodeExportTraceServiceRequest(bytes: Uint8Array): DecodedExportTraceServiceRequest {
  return traceV1.ExportTraceServiceRequest.decode(bytes);
}

export function encodeExportTraceServiceRequest(request: DecodedExportTraceServiceRequest): Buffer {
  return Buffer.from(traceV1.ExportTraceServiceRequest.encode(request).finish());
}

// ---------------------------------------------------------------------------------------------------------------
// Flattening

const SPAN_KINDS: readonly SpanKindName[] = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS_CODES: readonly StatusCodeName[] = ['UNSET', 'OK', 'ERROR'];

function hex(bytes: Uint8Array | null | undefined): string {
  return bytes && bytes.length > 0 ? Buffer.from(bytes).toString('hex') : '';
}

/** Converts a protobufjs int64/fixed64 (Long, number or decimal string) to a bigint, keeping its signedness. */
export function int64ToBigInt(value: Int64): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'number') return BigInt(Math.trunc(value));
  if (typeof value === 'string') return BigInt(value);
  const bits = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
  return value.unsigned ? bits : BigInt.asIntN(64, bits);
}

function anyValue(value: DecodedAnyValue | null | undefined): AttributeValue {
  if (!value) return '';
  // protobufjs sets the oneof's name in `value`; fall back to field presence for hand-built messages.
  const which =
    value.value ??
    (['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] as const).find(
      (field) => value[field] !== null && value[field] !== undefined,
    );
  switch (which) {
    case 'stringValue':
      return value.stringValue ?? '';
    case 'boolValue':
      return value.boolValue ?? false;
    case 'intValue':
      return Number(int64ToBigInt(value.intValue));
    case 'doubleValue':
      return value.doubleValue ?? 0;
    case 'bytesValue':
      return hex(value.bytesValue);
    case 'kvlistValue':
      return JSON.stringify(attributes(value.kvlistValue?.values));
    case 'arrayValue': {
      const items = (value.arrayValue?.values ?? []).map(anyValue);
      if (items.every((item) => typeof item === 'number')) return items as number[];
      if (items.every((item) => typeof item === 'boolean')) return items as boolean[];
      return items.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
    }
    default:
      return '';
  }
}

function attributes(list: DecodedKeyValue[] | null | undefined): Attributes {
  const result: Attributes = {};
  for (const entry of list ?? []) result[entry.key ?? ''] = anyValue(entry.value);
  return result;
}

/** Flattens one ExportTraceServiceRequest into spans, in the order they appear in the request. */
export function flattenRequest(request: DecodedExportTraceServiceRequest): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const resource = attributes(resourceSpans.resource?.attributes);
    const serviceName = resource['service.name'];
    const service = typeof serviceName === 'string' ? serviceName : '';
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      const scope = scopeSpans.scope?.name ?? '';
      for (const span of scopeSpans.spans ?? []) {
        spans.push({
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          parentSpanId: hex(span.parentSpanId),
          name: span.name ?? '',
          kind: SPAN_KINDS[span.kind ?? 0] ?? 'UNSPECIFIED',
          service,
          startTimeUnixNano: int64ToBigInt(span.startTimeUnixNano),
          endTimeUnixNano: int64ToBigInt(span.endTimeUnixNano),
          attributes: attributes(span.attributes),
          events: (span.events ?? []).map((event) => ({
            name: event.name ?? '',
            timeUnixNano: int64ToBigInt(event.timeUnixNano),
            attributes: attributes(event.attributes),
          })),
          status: { code: STATUS_CODES[span.status?.code ?? 0] ?? 'UNSET', message: span.status?.message ?? '' },
          resource: { ...resource },
          scope,
        });
      }
    }
  }
  return spans;
}

// ---------------------------------------------------------------------------------------------------------------
// The receiver

type ExportResponse = Record<string, never>;

const exportMethod: MethodDefinition<DecodedExportTraceServiceRequest, ExportResponse> = {
  path: EXPORT_PATH,
  requestStream: false,
  responseStream: false,
  requestSerialize: encodeExportTraceServiceRequest,
  requestDeserialize: decodeExportTraceServiceRequest,
  responseSerialize: (response) => Buffer.from(traceV1.ExportTraceServiceResponse.encode(response).finish()),
  responseDeserialize: (bytes) => traceV1.ExportTraceServiceResponse.decode(bytes),
};

export class OtlpReceiver {
  /** "127.0.0.1:<port>" */
  readonly address: string;
  /** "http://127.0.0.1:<port>", for OTEL_EXPORTER_OTLP_ENDPOINT or the exporter's `url` */
  readonly endpoint: string;
  /** How many Export calls arrived (failed ones included). */
  exportRequests = 0;

  private received: ReceivedSpan[] = [];
  private failure: number | undefined;
  private readonly arrivalListeners = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
    options: OtlpReceiverOptions,
  ) {
    this.address = `127.0.0.1:${port}`;
    this.endpoint = `http://${this.address}`;
    this.failure = options.failWith;
  }

  static async start(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
    const server = new Server();
    // The handler is registered before the port (and so the receiver) exists.
    const started: { receiver?: OtlpReceiver } = {};
    server.addService(
      { Export: exportMethod },
      {
        Export: (
          call: ServerUnaryCall<DecodedExportTraceServiceRequest, ExportResponse>,
          callback: sendUnaryData<ExportResponse>,
        ) => {
          if (!started.receiver) {
            callback({ code: GrpcStatus.UNAVAILABLE, details: 'otlp-receiver: not started yet' }, null);
            return;
          }
          started.receiver.handleExport(call.request, callback);
        },
      },
    );
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, boundPort) =>
        error ? reject(error) : resolve(boundPort),
      );
    });
    started.receiver = new OtlpReceiver(server, port, options);
    return started.receiver;
  }

  /** Everything received so far, in arrival order (a new array each call; the span objects are shared). */
  spans(): ReceivedSpan[] {
    return [...this.received];
  }

  /** The spans of one trace (id as lowercase hex), in arrival order. */
  trace(traceId: string): ReceivedSpan[] {
    const wanted = traceId.toLowerCase();
    return this.received.filter((span) => span.traceId === wanted);
  }

  /** Distinct trace ids, in order of first arrival. */
  traceIds(): string[] {
    return [...new Set(this.received.map((span) => span.traceId))];
  }

  /**
   * Resolves with all spans once `predicate(spans)` holds. Checks at once, on every Export that arrives, and on a
   * 10 ms poll; gives up after ceil(timeoutMs / 10) polls and throws with a dump of what arrived. The bound only
   * stops a broken test from hanging — never assert on how long this took.
   */
  async waitFor(
    predicate: (spans: ReceivedSpan[]) => boolean,
    description: string,
    timeoutMs = 10_000,
  ): Promise<ReceivedSpan[]> {
    const maxPolls = Math.max(1, Math.ceil(timeoutMs / 10));
    for (let polls = 0; ; polls++) {
      const spans = this.spans();
      if (predicate(spans)) return spans;
      if (polls >= maxPolls) break;
      await this.nextArrivalOr(10);
    }
    throw new Error(
      `otlp-receiver: never happened: ${description}\n` +
        `(${this.exportRequests} Export request(s), ${this.received.length} span(s) received)\n` +
        (this.received.length > 0 ? describeTrace(this.received) : '<no spans>'),
    );
  }

  /** Answer Export with this gRPC status from now on (undefined: answer OK again). */
  setFailure(code: number | undefined): void {
    this.failure = code;
  }

  /** Forgets the spans received so far and resets the request count. */
  clear(): void {
    this.received = [];
    this.exportRequests = 0;
  }

  /** Stops the server at once (forceShutdown: open calls are cancelled). */
  async stop(): Promise<void> {
    this.server.forceShutdown();
  }

  private handleExport(request: DecodedExportTraceServiceRequest, callback: sendUnaryData<ExportResponse>): void {
    this.exportRequests++;
    try {
      if (this.failure !== undefined && this.failure !== GrpcStatus.OK) {
        // A failing collector stores nothing: the spans of a failed export are not recorded.
        callback({ code: this.failure, details: `otlp-receiver: failing with status ${this.failure}` }, null);
        return;
      }
      this.received.push(...flattenRequest(request));
      callback(null, {});
    } finally {
      for (const listener of [...this.arrivalListeners]) listener();
    }
  }

  private nextArrivalOr(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.arrivalListeners.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.arrivalListeners.add(done);
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Trace-shape helpers (in the spirit of the OpenTelemetry demo's trace tests)

/** The span's parent among `spans` (same trace), or undefined for roots and parents that never arrived. */
export function parentOf(span: ReceivedSpan, spans: ReceivedSpan[]): ReceivedSpan | undefined {
  if (span.parentSpanId === '') return undefined;
  return spans.find((other) => other.traceId === span.traceId && other.spanId === span.parentSpanId);
}

/** The span's direct children among `spans` (same trace), by start time. */
export function childrenOf(span: ReceivedSpan, spans: ReceivedSpan[]): ReceivedSpan[] {
  return byStart(spans.filter((other) => other.traceId === span.traceId && other.parentSpanId === span.spanId));
}

function byStart(spans: ReceivedSpan[]): ReceivedSpan[] {
  return [...spans].sort((a, b) =>
    a.startTimeUnixNano < b.startTimeUnixNano ? -1 : a.startTimeUnixNano > b.startTimeUnixNano ? 1 : 0,
  );
}

function describeSpan(span: ReceivedSpan): string {
  const status = span.status.message ? `${span.status.code}: ${span.status.message}` : span.status.code;
  return `${span.service || '<no service>'} ${span.kind} ${span.name} [${status}]`;
}

/**
 * An indented tree, one line per span: "service kind name [status]", children under their parent by start time,
 * grouped by trace. Spans whose parent did not arrive are shown as roots marked "(orphan of <parentSpanId>)".
 */
export function describeTrace(spans: ReceivedSpan[]): string {
  const traceIds = [...new Set(spans.map((span) => span.traceId))];
  const lines: string[] = [];
  for (const traceId of traceIds) {
    const inTrace = spans.filter((span) => span.traceId === traceId);
    if (traceIds.length > 1) lines.push(`trace ${traceId}`);
    const indent = traceIds.length > 1 ? '  ' : '';
    const visited = new Set<ReceivedSpan>();
    const walk = (span: ReceivedSpan, depth: number, suffix: string): void => {
      if (visited.has(span)) return;
      visited.add(span);
      lines.push(`${indent}${'  '.repeat(depth)}${describeSpan(span)}${suffix}`);
      for (const child of childrenOf(span, inTrace)) walk(child, depth + 1, '');
    };
    for (const root of byStart(inTrace.filter((span) => parentOf(span, inTrace) === undefined))) {
      walk(root, 0, root.parentSpanId === '' ? '' : ` (orphan of ${root.parentSpanId})`);
    }
    // Cycles or duplicate span ids could leave spans unvisited; never hide them.
    for (const span of inTrace) walk(span, 0, ' (unreachable)');
  }
  return lines.join('\n');
}
