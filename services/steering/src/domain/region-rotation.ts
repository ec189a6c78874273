/** Whether a region is out of rotation, and when that last changed (unset if never). */
export interface RotationRecord {
  readonly evacuated: boolean;
  readonly changeTime?: Date;
}

/**
 * The only state steering changes at run time: which regions are evacuated. Every SteerPlayback reads
 * it, so the interface is synchronous; a store shared by replicas would keep a local copy refreshed by a
 * watch (a Consul KV blocking query, say) and make "evacuate unless it is the last region" one
 * conditional write.
 */
export interface RegionRotationStore {
  get(region: string): RotationRecord;
  set(region: string, record: RotationRecord): void;
}
