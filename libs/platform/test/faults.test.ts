import { Metadata, status } from '@grpc/grpc-js';
import { InvalidArgumentError } from '../src/errors/domain-errors';
import { FAULT_METADATA_KEY, FaultInjector, parseFaults } from '../src/faults/faults';

const GET_TITLE = '/streamplane.catalog.v1.CatalogService/GetTitle';

function metadataWith(value: string): Metadata {
  const metadata = new Metadata();
  metadata.set(FAULT_METADATA_KEY, value);
  return metadata;
}

describe('fault injection', () => {
  it('parses status names and latencies for several services', () => {
    expect(parseFaults('catalog=UNAVAILABLE, billing=250ms,steering=40,subtitles=deadline_exceeded')).toEqual([
      { service: 'catalog', failWith: status.UNAVAILABLE, phase: 'request' },
      { service: 'billing', latencyMs: 250, phase: 'request' },
      { service: 'steering', latencyMs: 40, phase: 'request' },
      { service: 'subtitles', failWith: status.DEADLINE_EXCEEDED, phase: 'request' },
    ]);
  });

  it('parses the response phase and an attempt number', () => {
    expect(parseFaults('billing=UNAVAILABLE@response#1, playback-authorization=100#2')).toEqual([
      { service: 'billing', failWith: status.UNAVAILABLE, phase: 'response', attempt: 1 },
      { service: 'playback-authorization', latencyMs: 100, phase: 'request', attempt: 2 },
    ]);
  });

  it('rejects malformed entries naming the metadata key', () => {
    for (const bad of [
      'catalog',
      '=UNAVAILABLE',
      'catalog=',
      'catalog=NOPE',
      'catalog=OK',
      'catalog=999999',
      'catalog=UNAVAILABLEms',
      'catalog=UNAVAILABLE@later',
      'catalog=UNAVAILABLE#x',
    ]) {
      expect(() => parseFaults(bad)).toThrow(InvalidArgumentError);
      expect(() => parseFaults(bad)).toThrow(new RegExp(`^${FAULT_METADATA_KEY}: `));
    }
  });

  it('fails only the named service', async () => {
    const catalog = new FaultInjector('catalog', true);
    const billing = new FaultInjector('billing', true);
    const signal = new AbortController().signal;
    await expect(catalog.apply(GET_TITLE, metadataWith('catalog=UNAVAILABLE'), signal)).rejects.toMatchObject({
      code: status.UNAVAILABLE,
    });
    await expect(billing.apply(GET_TITLE, metadataWith('catalog=UNAVAILABLE'), signal)).resolves.toBeUndefined();
  });

  it('fails only the attempt it names', async () => {
    const billing = new FaultInjector('billing', true);
    const signal = new AbortController().signal;
    const firstAttempt = metadataWith('billing=UNAVAILABLE#1');
    const retry = metadataWith('billing=UNAVAILABLE#1');
    retry.set('grpc-previous-rpc-attempts', '1');
    await expect(billing.apply(GET_TITLE, firstAttempt, signal)).rejects.toMatchObject({ code: status.UNAVAILABLE });
    await expect(billing.apply(GET_TITLE, retry, signal)).resolves.toBeUndefined();
  });

  it('keeps @response faults for after the handler', async () => {
    const billing = new FaultInjector('billing', true);
    const signal = new AbortController().signal;
    const metadata = metadataWith('billing=UNAVAILABLE@response');
    await expect(billing.apply(GET_TITLE, metadata, signal, 'request')).resolves.toBeUndefined();
    await expect(billing.apply(GET_TITLE, metadata, signal, 'response')).rejects.toMatchObject({
      code: status.UNAVAILABLE,
    });
  });

  it('is inert when disabled, even for malformed headers', async () => {
    const disabled = new FaultInjector('catalog', false);
    const signal = new AbortController().signal;
    await expect(disabled.apply(GET_TITLE, metadataWith('catalog=UNAVAILABLE'), signal)).resolves.toBeUndefined();
    await expect(disabled.apply(GET_TITLE, metadataWith('garbage'), signal)).resolves.toBeUndefined();
  });
});
