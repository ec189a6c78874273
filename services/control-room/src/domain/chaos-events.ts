/**
 * What chaos tooling reports it did (a monkey's kill, an experiment's start and end, a region evacuated,
 * a fault rule set), kept for the page: the last `capacity`, newest first.
 */

export const CHAOS_SOURCES = ['monkey', 'experiment', 'kong', 'fault-rule'] as const;
export type ChaosSource = (typeof CHAOS_SOURCES)[number];

export interface ChaosEvent {
  /** ISO 8601. */
  readonly at: string;
  readonly source: ChaosSource;
  readonly kind: string;
  readonly service?: string;
  readonly text: string;
}

export class ChaosEventLog {
  private readonly events: ChaosEvent[] = [];

  constructor(private readonly capacity: number) {}

  add(event: ChaosEvent): void {
    this.events.unshift(event);
    if (this.events.length > this.capacity) this.events.length = this.capacity;
  }

  /** Newest first. */
  list(): ChaosEvent[] {
    return [...this.events];
  }
}
