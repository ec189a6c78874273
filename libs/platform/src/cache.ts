/**
 * A bounded cache of values that never change once loaded (titles' facts, say): at most `capacity`
 * entries, the oldest evicted first; concurrent requests for one missing key share one load.
 */
export class BoundedCache<Key, Value> {
  private readonly values = new Map<Key, Value>();
  private readonly loading = new Map<Key, Promise<Value>>();

  constructor(
    private readonly capacity: number,
    private readonly load: (key: Key) => Promise<Value>,
  ) {}

  async get(key: Key): Promise<Value> {
    const cached = this.values.get(key);
    if (cached !== undefined) return cached;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.load(key).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    const value = await pending;
    this.remember(key, value);
    return value;
  }

  get size(): number {
    return this.values.size;
  }

  private remember(key: Key, value: Value): void {
    if (this.capacity <= 0 || this.values.has(key)) return;
    if (this.values.size >= this.capacity) this.values.delete(this.values.keys().next().value as Key);
    this.values.set(key, value);
  }
}
