import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePrometheusText } from '../../src/domain';

const fixture = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', name), 'utf8');

/** Scrapes captured from a running platform (playback-authorization after a few plays, and the edge). */
const PLAYBACK = fixture('playback-authorization.metrics.txt');
const EDGE = fixture('edge.metrics.txt');

const sampleLines = (text: string) => text.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));

describe('the Prometheus text parser', () => {
  it.each([
    ['playback-authorization', PLAYBACK],
    ['edge', EDGE],
  ])('reads every sample line of a captured %s scrape, and nothing else', (_name, text) => {
    const { samples, problems } = parsePrometheusText(text);
    expect(problems).toEqual([]);
    expect(samples).toHaveLength(sampleLines(text).length);
  });

  it('keeps names, labels and values as the exporter wrote them', () => {
    const { samples } = parsePrometheusText(PLAYBACK);
    const find = (name: string, labels: Record<string, string>) =>
      samples.filter(
        (sample) =>
          sample.name === name && Object.entries(labels).every(([label, value]) => sample.labels[label] === value),
      );

    expect(find('rpc_client_duration_count', { target: 'billing', rpc_method: 'GetEntitlement' })).toEqual([
      {
        name: 'rpc_client_duration_count',
        labels: {
          rpc_system: 'grpc',
          rpc_service: 'streamplane.billing.v1.BillingService',
          rpc_method: 'GetEntitlement',
          target: 'billing',
          rpc_grpc_status_code: '0',
          otel_scope_name: 'streamplane',
        },
        value: 11,
      },
    ]);
    const buckets = find('rpc_client_duration_bucket', { target: 'billing', rpc_method: 'GetEntitlement' });
    expect(buckets.map((bucket) => bucket.labels.le)).toEqual([
      '0',
      '5',
      '10',
      '25',
      '50',
      '75',
      '100',
      '250',
      '500',
      '750',
      '1000',
      '2500',
      '5000',
      '7500',
      '10000',
      '+Inf',
    ]);
    expect(buckets.map((bucket) => bucket.value).slice(0, 5)).toEqual([0, 1, 2, 8, 10]);
    expect(find('rpc_server_duration_sum', { rpc_method: 'AuthorizePlayback' })[0]!.value).toBeCloseTo(564.887638, 6);
    expect(find('streamplane_client_breaker_state', {}).map((sample) => sample.labels.breaker)).toEqual(
      expect.arrayContaining(['billing/GetEntitlement', 'catalog/GetTitle', 'subtitles/ListTracks']),
    );
    expect(find('streamplane_concurrency_limit', { side: 'server' })[0]!.value).toBe(40);
  });

  it('reads escapes in label values, special values, timestamps and labels without a trailing comma', () => {
    const { samples, problems } = parsePrometheusText(
      [
        'a{path="C:\\\\dir",quote="say \\"hi\\"",line="one\\ntwo",} 1.5e3',
        'b +Inf',
        'c{x="y"} -Inf 1700000000000',
        'd NaN',
        'e{} 7',
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(samples[0]).toEqual({
      name: 'a',
      labels: { path: 'C:\\dir', quote: 'say "hi"', line: 'one\ntwo' },
      value: 1500,
    });
    expect(samples.slice(1).map(({ name, value }) => [name, value])).toEqual([
      ['b', Infinity],
      ['c', -Infinity],
      ['d', NaN],
      ['e', 7],
    ]);
  });

  it('reports a line it cannot read, with its number, and still reads the others', () => {
    const { samples, problems } = parsePrometheusText(
      [
        '# HELP ok fine',
        'ok 1',
        'broken{le="5" 3',
        'open{le="5} 3',
        '{no_name="x"} 1',
        'word notanumber',
        'also_ok 2',
      ].join('\n'),
    );
    expect(samples.map((sample) => sample.name)).toEqual(['ok', 'also_ok']);
    expect(problems).toEqual([
      'line 3: expected "," or "}" after label le',
      'line 4: unterminated value of label le',
      'line 5: no metric name',
      'line 6: "notanumber" is not a number',
    ]);
  });
});
