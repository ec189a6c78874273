import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type GaugeMetricData,
} from '@opentelemetry/sdk-metrics';
import { HealthReporter } from '../src/server/health';

/**
 * streamplane_health_serving follows the overall gRPC health that readiness probes ask: what the
 * ServiceNotServing alert reads. Collected on demand, as a Prometheus scrape does.
 */
describe('the serving health gauge', () => {
  const reader = new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
    // Never on its own: the test collects.
    exportIntervalMillis: 2 ** 31 - 1,
  });
  const provider = new MeterProvider({ readers: [reader] });
  const health = new HealthReporter(['streamplane.test.v1.TestService'], provider.getMeter('health-test'));

  afterAll(() => provider.shutdown());

  async function scraped(): Promise<number[]> {
    const { resourceMetrics } = await reader.collect();
    const gauge = resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((metric) => metric.descriptor.name === 'streamplane.health.serving') as GaugeMetricData | undefined;
    return (gauge?.dataPoints ?? []).map((point) => point.value);
  }

  it('is 0 before the service is ready, 1 while SERVING, and 0 again when not', async () => {
    expect(await scraped()).toEqual([0]);
    health.markAlive();
    expect(await scraped()).toEqual([0]);
    health.setAll('SERVING');
    expect(await scraped()).toEqual([1]);
    health.setAll('NOT_SERVING');
    expect(await scraped()).toEqual([0]);
    health.setAll('SERVING');
    health.stopServing();
    expect(await scraped()).toEqual([0]);
  });
});
