import type { Logger } from '../logging/logger';

/**
 * What the service needs besides its own process to answer (its database, its Redis). Each dependency
 * reports itself up or down; the service's gRPC health is SERVING only while all of them are up, so
 * Kubernetes and Consul stop sending calls to an instance that has lost its store and send them again
 * once it has recovered by itself.
 */
export class Readiness {
  private readonly down = new Map<string, string>();
  private readonly listeners: ((ready: boolean) => void)[] = [];

  constructor(private readonly logger?: Logger) {}

  get ready(): boolean {
    return this.down.size === 0;
  }

  /** Dependencies currently down, with the reason each gave. */
  get failing(): ReadonlyMap<string, string> {
    return this.down;
  }

  report(dependency: string, up: boolean, reason = ''): void {
    const wasReady = this.ready;
    const wasDown = this.down.has(dependency);
    if (up && wasDown) {
      this.down.delete(dependency);
      this.logger?.info('dependency recovered', { dependency });
    } else if (!up && !wasDown) {
      this.down.set(dependency, reason);
      this.logger?.warn('dependency down: health NOT_SERVING until it recovers', { dependency, reason });
    }
    if (this.ready !== wasReady) for (const listener of this.listeners) listener(this.ready);
  }

  onChange(listener: (ready: boolean) => void): void {
    this.listeners.push(listener);
  }
}
