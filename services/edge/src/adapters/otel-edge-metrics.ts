import type { Meter } from '@opentelemetry/api';
import type { EdgeMetrics, FillReason } from '../application/ports';
import type { SegmentCache } from '../domain';

/**
 * The appliance's metrics through the platform's OpenTelemetry meter, served for Prometheus:
 * streamplane_edge_cache_lookups_total{result} (the hit ratio is hits / all), _served_bytes_total{resource},
 * _fill_bytes_total{reason}, _in_flight_requests, _cache_bytes and _cache_evictions_total.
 */
export class OtelEdgeMetrics implements EdgeMetrics {
  private readonly lookups;
  private readonly servedBytes;
  private readonly fillBytes;
  private readonly inFlight;

  constructor(meter: Meter, cache: SegmentCache) {
    this.lookups = meter.createCounter('streamplane.edge.cache.lookups', {
      description: "Segment requests by cache result (hit or miss): the appliance's hit ratio",
    });
    this.servedBytes = meter.createCounter('streamplane.edge.served_bytes', {
      description: 'Body bytes sent to players, by resource (manifest or segment)',
    });
    this.fillBytes = meter.createCounter('streamplane.edge.fill_bytes', {
      description: 'Bytes copied from the origin, by reason (miss, or proactive fill)',
    });
    this.inFlight = meter.createUpDownCounter('streamplane.edge.in_flight_requests', {
      description: 'HTTP requests being answered',
    });
    meter
      .createObservableGauge('streamplane.edge.cache_bytes', { description: 'Bytes held by the segment cache' })
      .addCallback((result) => result.observe(cache.bytes));
    meter
      .createObservableCounter('streamplane.edge.cache.evictions', {
        description: 'Segments evicted to make room (least recently used first)',
      })
      .addCallback((result) => result.observe(cache.evictions));
  }

  cacheLookup(hit: boolean): void {
    this.lookups.add(1, { result: hit ? 'hit' : 'miss' });
  }

  served(bytes: number, resource: 'manifest' | 'segment'): void {
    this.servedBytes.add(bytes, { resource });
  }

  filled(bytes: number, reason: FillReason): void {
    this.fillBytes.add(bytes, { reason });
  }

  requestStarted(): void {
    this.inFlight.add(1);
  }

  requestEnded(): void {
    this.inFlight.add(-1);
  }
}
