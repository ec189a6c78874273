import type { RegionRotationStore, RotationRecord } from '../domain';

/** A region never recorded is in rotation. */
const IN_ROTATION: RotationRecord = { evacuated: false };

/** The rotation of this process alone: every replica keeps its own, and a restart puts every region back. */
export class InMemoryRegionRotationStore implements RegionRotationStore {
  private readonly records = new Map<string, RotationRecord>();

  get(region: string): RotationRecord {
    return this.records.get(region) ?? IN_ROTATION;
  }

  set(region: string, record: RotationRecord): void {
    this.records.set(region, { ...record });
  }
}
