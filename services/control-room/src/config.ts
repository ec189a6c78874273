import { z } from 'zod';
import { CONTROL_ROOM, EDGE, SERVICE_NAMES, SERVICES } from '@streamplane/contracts';
import { env, platformConfigSchema } from '@streamplane/platform';

/** What the control room can watch: the seven gRPC services and the edge. */
export const COMPONENT_NAMES = [...SERVICE_NAMES, EDGE.name] as const;
export type ComponentName = (typeof COMPONENT_NAMES)[number];

/** One component to watch: where its health is asked (gRPC, or the edge's HTTP) and its metrics port. */
export interface WatchTarget {
  readonly name: ComponentName;
  /** A name (resolving to every instance, e.g. a headless Service) or an address. */
  readonly host: string;
  readonly port: number;
  readonly metricsPort: number;
}

const TARGET_FORMAT = 'name=host:port/metricsPort';
const TARGET = /^([^=\s]+)=(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.\-_]+):(\d{1,5})\/(\d{1,5})$/;

/** `catalog=127.0.0.1:50051/9451,…,edge=127.0.0.1:8080/9480`: every component at its design ports. */
export const DEFAULT_TARGETS = [
  ...SERVICE_NAMES.map((name) => `${name}=127.0.0.1:${SERVICES[name].port}/${SERVICES[name].metricsPort}`),
  `${EDGE.name}=127.0.0.1:${EDGE.httpPort}/${EDGE.metricsPort}`,
].join(',');

const isPort = (text: string): boolean => Number(text) >= 1 && Number(text) <= 65535;

const watchTargets = z
  .string()
  .trim()
  .transform((text, context): WatchTarget[] => {
    const targets: WatchTarget[] = [];
    const problem = (message: string) => {
      context.addIssue({ code: 'custom', message });
      return z.NEVER;
    };
    for (const entry of text.split(',').map((part) => part.trim())) {
      const match = TARGET.exec(entry);
      if (!match) return problem(`expected ${TARGET_FORMAT} separated by commas; "${entry}" is not`);
      const [, name, host, port, metricsPort] = match as unknown as [string, string, string, string, string];
      if (!(COMPONENT_NAMES as readonly string[]).includes(name)) {
        return problem(`unknown component "${name}"; expected one of ${COMPONENT_NAMES.join(', ')}`);
      }
      if (!isPort(port) || !isPort(metricsPort)) return problem(`"${entry}": ports must be between 1 and 65535`);
      if (targets.some((target) => target.name === name)) return problem(`"${name}" is listed twice`);
      targets.push({
        name: name as ComponentName,
        host: host.replace(/^\[|\]$/g, ''),
        port: Number(port),
        metricsPort: Number(metricsPort),
      });
    }
    return targets;
  });

/**
 * Everything the control room reads from its environment, validated at start (a bad variable exits 78
 * naming it). It serves no gRPC API and makes no spans, so of the platform's variables it takes only the
 * log level and the supervisor's stdin contract.
 */
export const controlRoomConfigSchema = platformConfigSchema
  .pick({ LOG_LEVEL: true, STREAMPLANE_EXIT_WITH_PARENT: true })
  .extend({
    /** The page and its API, and the OTLP receiver (the same interface). */
    HTTP_HOST: z.string().trim().min(1).default('0.0.0.0'),
    /** 0 picks a free one. */
    HTTP_PORT: env.port().default(CONTROL_ROOM.httpPort),
    /** OTLP/gRPC trace receiver that npm start points the services at; 0: none (traces stay in Jaeger). */
    OTLP_PORT: env.port().default(CONTROL_ROOM.otlpPort),
    /** The components to watch, `name=host:port/metricsPort` separated by commas. */
    CONTROL_ROOM_TARGETS: watchTargets.prefault(DEFAULT_TARGETS),
    /** Jaeger's UI as the reader's browser reaches it: each trace then links to `<url>/trace/<id>`. */
    CONTROL_ROOM_JAEGER_URL: z
      .url({ protocol: /^https?$/, error: 'expected an http(s) URL such as http://127.0.0.1:16686' })
      .transform((url) => url.replace(/\/+$/, ''))
      .optional(),
    /** How often every instance's health and metrics are read. */
    CONTROL_ROOM_POLL_MS: env.int(100, 60_000).default(1_000),
    /** Rates, shares and p99 are over this much of the latest scrapes. */
    CONTROL_ROOM_WINDOW_MS: env.int(1_000, 600_000).default(10_000),
    /** Traces kept (the least recently written is evicted first), and spans kept over all of them. */
    CONTROL_ROOM_MAX_TRACES: env.int(1, 10_000).default(200),
    CONTROL_ROOM_MAX_SPANS: env.int(1, 1_000_000).default(20_000),
  })
  .superRefine((config, context) => {
    if (config.CONTROL_ROOM_WINDOW_MS < 2 * config.CONTROL_ROOM_POLL_MS) {
      context.addIssue({
        code: 'custom',
        path: ['CONTROL_ROOM_WINDOW_MS'],
        message: `must span at least two polls (2 × CONTROL_ROOM_POLL_MS = ${2 * config.CONTROL_ROOM_POLL_MS})`,
      });
    }
  });

export type ControlRoomConfig = z.infer<typeof controlRoomConfigSchema>;
