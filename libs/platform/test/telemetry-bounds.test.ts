import { startTelemetry } from '../src/telemetry/telemetry';

/**
 * With the collector unreachable, spans wait in a bounded queue; the overflow is dropped and counted on
 * the metrics endpoint instead of growing memory.
 */
describe('telemetry with an unreachable collector', () => {
  const telemetry = startTelemetry({
    service: 'bounds-test',
    otlpEndpoint: 'http://127.0.0.1:9', // the discard port: nothing answers OTLP there
    metricsPort: 0,
    metricsHost: '127.0.0.1',
    maxQueuedSpans: 10,
  });

  afterAll(() => telemetry.shutdown(1000));

  it('drops what does not fit in the queue, and counts it', async () => {
    for (let i = 0; i < 100; i++) telemetry.tracer.startSpan(`work-${i}`).end();
    const address = await telemetry.metricsAddress();
    const text = await (await fetch(`http://127.0.0.1:${address!.port}/metrics`)).text();
    const dropped = /otel_sdk_processor_span_processed[^{\n]*\{[^}]*error_type="queue_full"[^}]*\} (\d+)/.exec(text);
    expect(dropped).not.toBeNull();
    // At most one batch (10) is with the exporter and one queue (10) waits; everything else was dropped.
    expect(Number(dropped![1])).toBeGreaterThanOrEqual(100 - 2 * 10);
  });
});
