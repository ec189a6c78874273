import { BoundedCache } from '../src/cache';

describe('BoundedCache', () => {
  it('loads once, then answers from memory', async () => {
    const load = jest.fn(async (key: string) => key.toUpperCase());
    const cache = new BoundedCache(10, load);
    expect(await cache.get('a')).toBe('A');
    expect(await cache.get('a')).toBe('A');
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('shares one load between concurrent requests for a key', async () => {
    const load = jest.fn(async (key: string) => key.length);
    const cache = new BoundedCache(10, load);
    await Promise.all([cache.get('abc'), cache.get('abc'), cache.get('abc')]);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('keeps at most capacity entries, evicting the oldest', async () => {
    const load = jest.fn(async (key: number) => key * 2);
    const cache = new BoundedCache(2, load);
    await cache.get(1);
    await cache.get(2);
    await cache.get(3);
    expect(cache.size).toBe(2);
    await cache.get(1);
    expect(load).toHaveBeenCalledTimes(4);
  });

  it('does not remember failures', async () => {
    let calls = 0;
    const cache = new BoundedCache(10, async () => {
      calls += 1;
      if (calls === 1) throw new Error('catalog unavailable');
      return 'ok';
    });
    await expect(cache.get('x')).rejects.toThrow('catalog unavailable');
    await expect(cache.get('x')).resolves.toBe('ok');
  });
});
