import { dashboardQueries, dashboards, exportedMetricNames, selectedMetrics } from './monitoring-files';

/**
 * The chart's Grafana dashboards (helm/streamplane/files/dashboards): Grafana can import them into any
 * installation (the data source is a variable), and every query selects only series the platform exports.
 * That Prometheus accepts each query, and what they return, is tested against a real one in
 * prometheus.test.ts.
 */
describe('the Grafana dashboards', () => {
  const all = dashboards();

  it('are the services, resilience and edge dashboards, with unique uids', () => {
    expect(all.map((dashboard) => dashboard.uid)).toEqual([
      'streamplane-edge',
      'streamplane-resilience',
      'streamplane-services',
    ]);
  });

  it.each(all.map((dashboard) => [dashboard.file, dashboard] as const))(
    '%s reads from the datasource variable, a Prometheus one, in every panel and query',
    (_file, dashboard) => {
      const datasource = dashboard.templating.list.find((variable) => variable.name === 'datasource');
      expect(datasource).toMatchObject({ type: 'datasource', query: 'prometheus' });
      const expected = { type: 'prometheus', uid: '${datasource}' };
      for (const panel of dashboard.panels.filter((candidate) => candidate.type !== 'row')) {
        expect({ panel: panel.title, datasource: panel.datasource }).toEqual({
          panel: panel.title,
          datasource: expected,
        });
        expect(panel.targets?.length).toBeGreaterThan(0);
        for (const target of panel.targets ?? []) {
          expect({ panel: panel.title, datasource: target.datasource }).toEqual({
            panel: panel.title,
            datasource: expected,
          });
        }
      }
    },
  );

  it.each(all.map((dashboard) => [dashboard.file, dashboard] as const))(
    '%s has unique panel ids and a layout inside the 24 columns',
    (_file, dashboard) => {
      const ids = dashboard.panels.map((panel) => panel.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const { title, gridPos } of dashboard.panels) {
        expect({ title, fits: gridPos.x >= 0 && gridPos.w > 0 && gridPos.x + gridPos.w <= 24 }).toEqual({
          title,
          fits: true,
        });
      }
    },
  );

  it('select only metrics the platform exports', () => {
    const exported = exportedMetricNames();
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(25);
    const unknown = queries.flatMap(({ where, expr }) =>
      selectedMetrics(expr)
        .filter((metric) => !exported.has(metric))
        .map((metric) => `${where}: ${metric}`),
    );
    expect(unknown).toEqual([]);
    // The panels are all there: RED, SPS, breakers, retries, concurrency limits, the edge's hit ratio.
    const selected = new Set(queries.flatMap(({ expr }) => selectedMetrics(expr)));
    for (const metric of [
      'rpc_server_duration_count',
      'rpc_server_duration_bucket',
      'rpc_client_duration_count',
      'streamplane_client_breaker_state',
      'streamplane_client_events_total',
      'streamplane_concurrency_limit',
      'streamplane_concurrency_in_flight',
      'streamplane_server_refused_total',
      'streamplane_edge_cache_lookups_total',
      'streamplane_edge_served_bytes_total',
      'streamplane_health_serving',
    ]) {
      expect({ metric, selected: selected.has(metric) }).toEqual({ metric, selected: true });
    }
  });
});

describe('selectedMetrics (how the dashboards and rules are read)', () => {
  it('finds the metrics of an expression, not its functions, labels, keywords or numbers', () => {
    expect(
      selectedMetrics(
        'histogram_quantile(0.99, sum by (job, le) (rate(a_bucket{x=~"b|c"}[$__rate_interval])))' +
          ' / on (job) group_left (d) (up{job="e"} == 0 or 0 * b:recorded[5m])',
      ),
    ).toEqual(['a_bucket', 'up', 'b:recorded']);
  });
});
