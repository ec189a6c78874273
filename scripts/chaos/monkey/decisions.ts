/** What the monkey decided, and where each decision goes: transport-free types shared by the monkey and its adapters. */

export const DECISIONS = ['scheduled', 'held', 'killed', 'leashed', 'skipped', 'failed'] as const;
export type DecisionKind = (typeof DECISIONS)[number];

export type TerminationMode = 'evict' | 'delete';

export interface PodRef {
  readonly name: string;
  readonly uid?: string;
}

export interface Decision {
  readonly decision: DecisionKind;
  /** The group: the Deployment's name (which is the service's). */
  readonly service: string;
  /** The pod it concerns, once one is chosen (kills choose at kill time, so `scheduled` has none). */
  readonly pod?: PodRef;
  readonly atMs: number;
  /** Why: the outage that held it, the rule that skipped it, the error that failed it. */
  readonly reason?: string;
  /** `scheduled`: when the kill is due. */
  readonly dueMs?: number;
  readonly mode?: TerminationMode;
}

/** Receives every decision; must not throw (a sink that fails reports it itself). */
export interface DecisionSink {
  record(decision: Decision): Promise<void>;
}

/** Sends each decision to every sink (the log, the counter, the Kubernetes Event), in order. */
export function allOf(...sinks: DecisionSink[]): DecisionSink {
  return {
    async record(decision) {
      for (const sink of sinks) await sink.record(decision);
    },
  };
}
