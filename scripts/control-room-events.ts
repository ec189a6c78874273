import { CONTROL_ROOM } from '@streamplane/contracts';

/**
 * Chaos tooling tells the control room what it did, so that the page shows the last kills and experiments
 * beside the breakers and health they moved. Best effort on purpose: a control room that is not running,
 * slow or refusing must never delay or fail a game day, so each event is one attempt with a short timeout
 * and its failure is ignored.
 */

export interface ChaosEvent {
  source: 'monkey' | 'experiment' | 'kong' | 'fault-rule';
  kind: string;
  service?: string;
  text: string;
}

const POST_TIMEOUT_MS = 500;

/** CONTROL_ROOM_URL, else the control room of the npm start with this port offset. */
export function controlRoomUrl(env: NodeJS.ProcessEnv, portOffset = 0): string {
  return (env.CONTROL_ROOM_URL || `http://127.0.0.1:${CONTROL_ROOM.httpPort + portOffset}`).replace(/\/+$/, '');
}

export type ChaosEventSink = (event: ChaosEvent) => Promise<void>;

export function controlRoomSink(url: string): ChaosEventSink {
  return async (event) => {
    try {
      await fetch(`${url}/api/chaos-events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...event, at: new Date().toISOString() }),
        signal: AbortSignal.timeout(POST_TIMEOUT_MS),
      });
    } catch {
      // No control room, or a slow one: the tool goes on; the event is only for the page.
    }
  };
}
