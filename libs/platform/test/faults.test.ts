import { Metadata, status } from '@grpc/grpc-js';
import { InvalidArgumentError } from '../src/errors/domain-errors';
import { FAULT_METADATA_KEY, FaultInjector, parseFaults } from '../src/faults/faults';

function metadataWith(value: string): Metadata {
  const metadata = new Metadata();
  metadata.set(FAULT_METADATA_KEY, value);
  return metadata;
}

describe('fault injection', () => {
  it('parses status names and latencies for several services', () => {
    expect(parseFaults('catalog=UNAVAILABLE, billing=250ms,steering=40,subtitles=deadline_exceeded')).toEqual([
      { service: 'catalog', failWith: status.UNAVAILABLE },
      { service: 'billing', latencyMs: 250 },
      { service: 'steering', latencyMs: 40 },
      { service: 'subtitles', failWith: status.DEADLINE_EXCEEDED },
    ]);
  });

  it('rejects malformed entries naming the metadata key', () => {
    for (const bad of ['catalog', '=UNAVAILABLE', 'catalog=', 'catalog=NOPE', 'catalog=OK', 'catalog=999999']) {
      expect(() => parseFaults(bad)).toThrow(InvalidArgumentError);
      expect(() => parseFaults(bad)).toThrow(new RegExp(`^${FAULT_METADATA_KEY}: `));
    }
  });

  it('fails only the named service', async () => {
    const catalog = new FaultInjector('catalog', true);
    const billing = new FaultInjector('billing', true);
    const signal = new AbortController().signal;
    await expect(catalog.apply(metadataWith('catalog=UNAVAILABLE'), signal)).rejects.toMatchObject({
      code: status.UNAVAILABLE,
    });
    await expect(billing.apply(metadataWith('catalog=UNAVAILABLE'), signal)).resolves.toBeUndefined();
  });

  it('is inert when disabled, even for malformed headers', async () => {
    const disabled = new FaultInjector('catalog', false);
    const signal = new AbortController().signal;
    await expect(disabled.apply(metadataWith('catalog=UNAVAILABLE'), signal)).resolves.toBeUndefined();
    await expect(disabled.apply(metadataWith('garbage'), signal)).resolves.toBeUndefined();
  });
});
