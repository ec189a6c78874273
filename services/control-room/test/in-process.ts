import { startControlRoom, type RunningControlRoom } from '../src/control-room';

export interface ControlRoomUnderTest extends RunningControlRoom {
  readonly url: string;
  getJson<T = Record<string, unknown>>(path: string): Promise<{ status: number; body: T; headers: Headers }>;
}

/** Nothing listens on port 1 of 127.0.0.1: a target that is refused at once. */
export const UNREACHABLE_TARGETS = 'catalog=127.0.0.1:1/1';

/** The control room in this process on free ports (no OTLP receiver unless `env` asks for one). */
export async function startInProcess(env: Record<string, string> = {}): Promise<ControlRoomUnderTest> {
  const room = await startControlRoom({
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    OTLP_PORT: '0',
    LOG_LEVEL: 'error',
    CONTROL_ROOM_TARGETS: UNREACHABLE_TARGETS,
    ...env,
  });
  const url = `http://127.0.0.1:${room.port}`;
  return {
    ...room,
    url,
    async getJson<T>(path: string) {
      const response = await fetch(`${url}${path}`);
      return { status: response.status, body: (await response.json()) as T, headers: response.headers };
    },
  };
}
