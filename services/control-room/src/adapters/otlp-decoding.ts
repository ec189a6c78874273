import generatedRoot from 'otlp-proto-schema/build/src/generated/root.js';
import type { AttributeValue, ReceivedSpan, SpanAttributes, SpanKindName, SpanStatusName } from '../domain';

/**
 * ExportTraceServiceRequest bytes to the control room's spans, with opentelemetry-proto's own schema (the
 * protobufjs static code `otlp-proto-schema` ships, an alias of @opentelemetry/otlp-transformer@0.52.1).
 * protobufjs's toObject turns the message into plain JSON (64-bit integers as decimal strings, bytes as
 * base64); only the fields read here are typed. What one span may hold is bounded (attributes, events,
 * the length of a string), so that a chatty exporter cannot grow the trace store past its span count.
 */

const MAX_ATTRIBUTES = 64;
const MAX_EVENTS = 64;
const MAX_STRING = 1_024;

interface PlainAnyValue {
  value?: 'stringValue' | 'boolValue' | 'intValue' | 'doubleValue' | 'arrayValue' | 'kvlistValue' | 'bytesValue';
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  arrayValue?: { values?: PlainAnyValue[] };
  kvlistValue?: { values?: PlainKeyValue[] };
  bytesValue?: string;
}
interface PlainKeyValue {
  key?: string;
  value?: PlainAnyValue;
}
interface PlainSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  kind?: number;
  startTimeUnixNano?: string;
  endTimeUnixNano?: string;
  attributes?: PlainKeyValue[];
  events?: Array<{ timeUnixNano?: string; name?: string; attributes?: PlainKeyValue[] }>;
  status?: { code?: number; message?: string };
}
interface PlainRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: PlainKeyValue[] };
    scopeSpans?: Array<{ spans?: PlainSpan[] }>;
  }>;
}

interface StaticMessage {
  decode(bytes: Uint8Array): unknown;
  toObject(message: unknown, options: object): unknown;
}

// The module's root.d.ts types its export as a reflection Root; at run time it is the static code's namespace.
const requestType = (
  generatedRoot as unknown as {
    opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: StaticMessage } } } } };
  }
).opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

const KINDS: readonly SpanKindName[] = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUSES: readonly SpanStatusName[] = ['UNSET', 'OK', 'ERROR'];

const bounded = (text: string): string => (text.length > MAX_STRING ? `${text.slice(0, MAX_STRING)}…` : text);
const hexOf = (base64: string | undefined): string => Buffer.from(base64 ?? '', 'base64').toString('hex');
const nanos = (decimal: string | undefined): bigint => BigInt(decimal ?? '0');

function valueOf(value: PlainAnyValue | undefined): AttributeValue {
  switch (value?.value) {
    case 'stringValue':
      return bounded(value.stringValue ?? '');
    case 'boolValue':
      return value.boolValue ?? false;
    case 'intValue':
      return Number(value.intValue ?? 0);
    case 'doubleValue':
      return value.doubleValue ?? 0;
    case 'arrayValue':
      return (value.arrayValue?.values ?? []).slice(0, MAX_ATTRIBUTES).map((item) => {
        const scalar = valueOf(item);
        return Array.isArray(scalar) ? bounded(JSON.stringify(scalar)) : scalar;
      });
    case 'kvlistValue':
      return bounded(JSON.stringify(attributesOf(value.kvlistValue?.values)));
    case 'bytesValue':
      return bounded(hexOf(value.bytesValue));
    default:
      return '';
  }
}

function attributesOf(list: readonly PlainKeyValue[] | undefined): SpanAttributes {
  const attributes: SpanAttributes = {};
  for (const { key, value } of (list ?? []).slice(0, MAX_ATTRIBUTES)) attributes[bounded(key ?? '')] = valueOf(value);
  return attributes;
}

/**
 * The spans of one request (those without a trace and a span id are no spans to keep); throws when the
 * bytes are not an ExportTraceServiceRequest.
 */
export function decodeTraceExport(bytes: Uint8Array): ReceivedSpan[] {
  const request = requestType.toObject(requestType.decode(bytes), {
    longs: String,
    bytes: String,
    oneofs: true,
  }) as PlainRequest;
  return (request.resourceSpans ?? [])
    .flatMap(({ resource, scopeSpans }) => {
      const serviceName = attributesOf(resource?.attributes)['service.name'];
      const service = typeof serviceName === 'string' ? serviceName : '';
      return (scopeSpans ?? []).flatMap(({ spans }) =>
        (spans ?? []).map((span): ReceivedSpan => ({
          traceId: hexOf(span.traceId),
          spanId: hexOf(span.spanId),
          parentSpanId: hexOf(span.parentSpanId),
          service,
          name: bounded(span.name ?? ''),
          kind: KINDS[span.kind ?? 0] ?? 'UNSPECIFIED',
          startNs: nanos(span.startTimeUnixNano),
          endNs: nanos(span.endTimeUnixNano),
          status: STATUSES[span.status?.code ?? 0] ?? 'UNSET',
          statusMessage: bounded(span.status?.message ?? ''),
          attributes: attributesOf(span.attributes),
          events: (span.events ?? []).slice(0, MAX_EVENTS).map((event) => ({
            name: bounded(event.name ?? ''),
            timeNs: nanos(event.timeUnixNano),
            attributes: attributesOf(event.attributes),
          })),
        })),
      );
    })
    .filter((span) => span.traceId.length === 32 && span.spanId.length === 16);
}
