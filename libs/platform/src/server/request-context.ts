import type { Metadata } from '@grpc/grpc-js';
import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What the platform knows about the gRPC call being served, available anywhere in its async call tree
 * (the resilient client reads the deadline and the metadata to propagate from here).
 */
export interface RequestContext {
  /** Full method path, e.g. /streamplane.catalog.v1.CatalogService/GetTitle. */
  readonly method: string;
  readonly metadata: Metadata;
  /** Absolute deadline in ms since the epoch; Infinity when the caller set none. */
  readonly deadline: number;
  /** Aborted when the caller cancels or the deadline passes: long work should stop. */
  readonly signal: AbortSignal;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithRequestContext<T>(context: RequestContext, work: () => T): T {
  return storage.run(context, work);
}

export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

/** Converts grpc-js's deadline (Date, number or Infinity) into ms since the epoch. */
export function deadlineToMillis(deadline: Date | number): number {
  return deadline instanceof Date ? deadline.getTime() : deadline;
}

/** A metadata value of the call being served (e.g. "authorization"), or undefined. */
export function requestMetadata(key: string): string | undefined {
  const value = currentRequestContext()?.metadata.get(key)[0];
  return value === undefined ? undefined : String(value);
}
