import { Logger } from '@streamplane/platform';
import { ManualClock } from '@streamplane/testkit';
import type { HealthProber, InstanceResolver, MetricsReader } from '../../src/application/ports';
import { PlatformWatcher } from '../../src/application/platform-watcher';
import type { WatchTarget } from '../../src/config';
import type { Health } from '../../src/domain';

/** Instances by host, their health and their /metrics text, as a test sets them. */
class FakePlatform implements MetricsReader, HealthProber, InstanceResolver {
  readonly addresses = new Map<string, string[]>();
  readonly health = new Map<string, Health>();
  readonly metrics = new Map<string, string>();
  retained: string[] = [];

  async resolve(host: string): Promise<string[]> {
    const addresses = this.addresses.get(host);
    if (!addresses) throw new Error(`getaddrinfo ENOTFOUND ${host}`);
    return addresses;
  }

  async check(_protocol: 'grpc' | 'http', host: string): Promise<Health> {
    return this.health.get(host) ?? 'UNREACHABLE';
  }

  retainOnly(addresses: ReadonlySet<string>): void {
    this.retained = [...addresses].sort();
  }

  close(): void {}

  async read(host: string): Promise<string> {
    const text = this.metrics.get(host);
    if (text === undefined) throw new Error('connection refused');
    return text;
  }
}

const served = (count: number) =>
  `rpc_server_duration_count{rpc_method="GetTitle",rpc_grpc_status_code="0"} ${count}\n` +
  `rpc_server_duration_bucket{rpc_method="GetTitle",rpc_grpc_status_code="0",le="+Inf"} ${count}`;

const TARGETS: WatchTarget[] = [{ name: 'catalog', host: 'catalog-instances', port: 50051, metricsPort: 9451 }];

describe('the platform watcher', () => {
  let platform: FakePlatform;
  let clock: ManualClock;
  let watcher: PlatformWatcher;

  beforeEach(() => {
    platform = new FakePlatform();
    clock = new ManualClock();
    watcher = new PlatformWatcher(
      TARGETS,
      [],
      { metrics: platform, health: platform, resolver: platform },
      clock,
      new Logger('control-room', 'error'),
      { pollMs: 1_000, windowMs: 10_000 },
    );
  });

  const catalog = () => watcher.view().services[0]!;

  it('shows a target of unknown health at its configured address before the first round', () => {
    expect(watcher.view().updatedAt).toBeUndefined();
    expect(catalog()).toMatchObject({
      health: 'UNKNOWN',
      address: 'catalog-instances:50051',
      instances: [{ address: 'catalog-instances:50051', health: 'UNKNOWN' }],
    });
  });

  it('reads every instance behind the name on its own and adds up their calls', async () => {
    platform.addresses.set('catalog-instances', ['10.0.0.1', '10.0.0.2']);
    platform.health.set('10.0.0.1', 'SERVING').set('10.0.0.2', 'SERVING');
    platform.metrics.set('10.0.0.1', served(100)).set('10.0.0.2', served(1_000));
    await watcher.poll();
    clock.advance(10_000);
    platform.metrics.set('10.0.0.1', served(150)).set('10.0.0.2', served(1_100));
    await watcher.poll();
    expect(watcher.view().updatedAt).toEqual(clock.now());
    expect(catalog()).toMatchObject({ health: 'SERVING', requestsPerS: 15 });
    expect(catalog().instances.map((instance) => instance.address)).toEqual(['10.0.0.1:50051', '10.0.0.2:50051']);
    expect(platform.retained).toEqual(['10.0.0.1:50051', '10.0.0.2:50051']);
  });

  it('keeps an instance whose metrics cannot be read, with its health, and forgets one that is gone', async () => {
    platform.addresses.set('catalog-instances', ['10.0.0.1', '10.0.0.2']);
    platform.health.set('10.0.0.1', 'SERVING').set('10.0.0.2', 'NOT_SERVING');
    platform.metrics.set('10.0.0.1', served(1));
    await watcher.poll();
    expect(catalog().health).toBe('NOT_SERVING');
    expect(catalog().instances.map((instance) => instance.health)).toEqual(['SERVING', 'NOT_SERVING']);

    platform.addresses.set('catalog-instances', ['10.0.0.1']);
    await watcher.poll();
    expect(catalog().health).toBe('SERVING');
    expect(platform.retained).toEqual(['10.0.0.1:50051']);
  });

  it('shows a name that resolves to nothing (no pods, a typo) as UNREACHABLE', async () => {
    await watcher.poll();
    expect(catalog()).toMatchObject({ health: 'UNREACHABLE', instances: [], requestsPerS: null });
  });
});
