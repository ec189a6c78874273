import { z } from 'zod';

/**
 * Configuration comes only from environment variables and is validated once, at start. A service declares
 * one schema (the platform's base variables extended with its own); a bad or missing variable stops the
 * process with a message that names it, before anything listens.
 */

/** Exit status for a process that cannot start because its configuration is invalid (sysexits EX_CONFIG). */
export const EXIT_BAD_CONFIG = 78;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Builders for environment variables, with messages that say what was expected. */
export const env = {
  port: () =>
    z.coerce
      .number({ error: 'expected a port number' })
      .int('expected a whole port number')
      .min(0, 'expected a port between 0 and 65535')
      .max(65535, 'expected a port between 0 and 65535'),
  int: (min: number, max: number) =>
    z.coerce
      .number({ error: `expected a whole number between ${min} and ${max}` })
      .int(`expected a whole number between ${min} and ${max}`)
      .min(min, `expected a whole number between ${min} and ${max}`)
      .max(max, `expected a whole number between ${min} and ${max}`),
  oneOf: <const T extends readonly [string, ...string[]]>(values: T) =>
    z.enum(values, { error: `expected one of ${values.join(', ')}` }),
  nonEmpty: () => z.string().trim().min(1, 'must not be empty'),
  /** host:port, as used for gRPC targets and agent addresses. */
  hostPort: () =>
    z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/, 'expected host:port'),
  /** An IPv4 or IPv6 address. */
  ip: () => z.union([z.ipv4(), z.ipv6()], { error: 'expected an IP address' }),
};

/** The variable that overrides where a service is found with static discovery, e.g. PLAYBACK_AUTHORIZATION_ADDR. */
export function staticAddressVariable(service: string): string {
  return `${service.toUpperCase().replace(/-/g, '_')}_ADDR`;
}

/** The <SERVICE>_ADDR variables of `services`, each optional: what static discovery dials. */
export function staticAddressSchema(services: readonly string[]) {
  return z.object(
    Object.fromEntries(services.map((service) => [staticAddressVariable(service), env.hostPort().optional()])),
  ) as z.ZodObject<Record<string, z.ZodOptional<ReturnType<typeof env.hostPort>>>>;
}

/** What the telemetry bootstrap reads; validated before the application loads (see register-telemetry.ts). */
export const telemetryConfigSchema = z.object({
  /** Overrides the service name derived from the entry point. */
  OTEL_SERVICE_NAME: z.string().trim().min(1).optional(),
  /** OTLP/gRPC collector, e.g. http://jaeger-collector:4317 (Jaeger's OTLP port); unset: no export. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ error: 'expected a URL such as http://jaeger:4317' }).optional(),
  /** Port of the Prometheus /metrics endpoint; unset: the service's default (9451–9457); 0: any free port. */
  METRICS_PORT: env.port().optional(),
  METRICS_HOST: z.string().trim().min(1).default('0.0.0.0'),
  /**
   * Extra resource attributes of every span and of target_info, e.g. deployment.environment.name=staging
   * (the SDK's own variable; they win over the platform's except service.name, which OTEL_SERVICE_NAME sets).
   * Checked here because the SDK would drop a malformed value silently.
   */
  OTEL_RESOURCE_ATTRIBUTES: z
    .string()
    .refine(isResourceAttributeList, {
      error: 'expected key=value pairs separated by commas, "," and "=" percent-encoded inside them',
    })
    .optional(),
  /** The pod (Kubernetes: the downward API's metadata.name): k8s.pod.name and the service.instance.id. */
  K8S_POD_NAME: env.nonEmpty().optional(),
  /** The pod's namespace (the downward API's metadata.namespace): k8s.namespace.name. */
  K8S_NAMESPACE_NAME: env.nonEmpty().optional(),
});

/** What the OpenTelemetry SDK accepts in OTEL_RESOURCE_ATTRIBUTES: `key=value[,key=value…]`, percent-encoded. */
function isResourceAttributeList(value: string): boolean {
  return value
    .split(',')
    .filter((entry) => entry.trim() !== '')
    .every((entry) => {
      const parts = entry.split('=');
      if (parts.length !== 2 || parts[0]!.trim() === '') return false;
      try {
        parts.forEach((part) => decodeURIComponent(part));
        return true;
      } catch {
        return false;
      }
    });
}

export const platformConfigSchema = telemetryConfigSchema.extend({
  /** Interface the gRPC server binds to. */
  GRPC_HOST: z.string().trim().min(1).default('0.0.0.0'),
  /** Port the gRPC server binds to; unset means the service's design port, 0 means any free port. */
  GRPC_PORT: env.port().optional(),
  LOG_LEVEL: env.oneOf(['debug', 'info', 'warn', 'error']).default('info'),
  /** Honour x-streamplane-fault request metadata (tests and game days only). */
  STREAMPLANE_FAULTS: env.oneOf(['enabled', 'disabled']).default('disabled'),
  /**
   * `npm run bench` only: outbound calls go out as single attempts, without breakers or retries, so the
   * bench can tell what that machinery costs. Never set it where availability matters.
   */
  STREAMPLANE_BENCH_WITHOUT: env.oneOf(['resilience']).optional(),
  /** Time between turning health NOT_SERVING and refusing new calls, so load balancers can move away. */
  SHUTDOWN_DELAY_MS: env.int(0, 60_000).default(0),
  /** Longest wait for in-flight calls to finish on shutdown before they are cut off. */
  SHUTDOWN_DRAIN_MS: env.int(0, 120_000).default(10_000),
  /**
   * `true` under a local supervisor (npm start, the tests), which holds the process's stdin open: when it
   * closes, the supervisor is gone however it ended (even SIGKILL), and the service shuts down instead of
   * living on as an orphan holding its port. Never in a container, whose stdin is closed from the start.
   */
  STREAMPLANE_EXIT_WITH_PARENT: env.oneOf(['true', 'false']).default('false'),
  /** How services find each other: `static` (<SERVICE>_ADDR, local default) or `consul` (Kubernetes). */
  STREAMPLANE_DISCOVERY: env.oneOf(['static', 'consul']).default('static'),
  /**
   * The Consul agent's HTTP API (Consul's own variable): host:port, or https://host:port for TLS (Consul's
   * HTTPS port is 8501); an http:// prefix is accepted and dropped. The variables below are Consul's own too,
   * except the STREAMPLANE_CONSUL_ ones; what only makes sense together (https and a CA, one token source) and
   * the files they name are checked when discovery starts (loadConsulConnection), naming the variable.
   */
  CONSUL_HTTP_ADDR: z
    .string()
    .trim()
    .transform((value) => value.replace(/^http:\/\//i, ''))
    .pipe(
      z
        .string()
        .regex(
          /^(https:\/\/)?[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/i,
          'expected host:port, http://host:port or https://host:port',
        ),
    )
    .default('127.0.0.1:8500'),
  /** `true`: https to the agent even where CONSUL_HTTP_ADDR has no https:// prefix. */
  CONSUL_HTTP_SSL: env.oneOf(['true', 'false']).optional(),
  /** PEM file of the CA that signed the agent's HTTPS certificate; unset: the system's CAs. */
  CONSUL_CACERT: env.nonEmpty().optional(),
  /** The name the agent's certificate must carry (also sent as SNI), when it is not CONSUL_HTTP_ADDR's host. */
  CONSUL_TLS_SERVER_NAME: env.nonEmpty().optional(),
  /** The ACL token sent as X-Consul-Token with every request; unset: none (Consul's anonymous token). */
  CONSUL_HTTP_TOKEN: env.nonEmpty().optional(),
  /** A file holding the ACL token instead (read once, at start), e.g. a mounted Secret; not with CONSUL_HTTP_TOKEN. */
  CONSUL_HTTP_TOKEN_FILE: env.nonEmpty().optional(),
  /**
   * `agent`: the instance registers itself, with a gRPC health check, with the agent at CONSUL_HTTP_ADDR,
   * which must be one agent that stays the same (its node's own, or the chart's dev agent). `none`: something
   * else puts it in Consul's catalog (consul-k8s catalog sync of its Kubernetes Service); it only resolves.
   */
  STREAMPLANE_CONSUL_REGISTRATION: env.oneOf(['agent', 'none']).default('agent'),
  /**
   * A service's name in Consul, `{service}` standing for its own (catalog, steering, …): e.g.
   * `{service}-streamplane` where consul-k8s catalog sync appends the Kubernetes namespace.
   */
  STREAMPLANE_CONSUL_SERVICE_NAME: z
    .string()
    .trim()
    .regex(
      /^[A-Za-z0-9._-]*\{service\}[A-Za-z0-9._-]*$/,
      'expected a name holding {service} once, e.g. {service}-streamplane (letters, digits, ".", "_" or "-" around it)',
    )
    .default('{service}'),
  /**
   * How often a registered instance checks that the agent still knows it and registers again if not (an
   * agent restarted without persistent state forgets every service registered with it).
   */
  CONSUL_REGISTRATION_CHECK_MS: env.int(100, 600_000).default(30_000),
  /** The address other instances reach this one at (Kubernetes: the pod IP from the downward API). */
  POD_IP: env.ip().optional(),
  /**
   * Mutual TLS on every gRPC port and channel (`enabled` in the chart, `disabled` under npm start unless
   * asked for): the process presents the certificate in STREAMPLANE_TLS_DIR and requires one of every caller.
   */
  STREAMPLANE_TLS: env.oneOf(['enabled', 'disabled']).default('disabled'),
  /** The directory of ca.crt, tls.crt and tls.key (a Kubernetes TLS secret); required when STREAMPLANE_TLS=enabled. */
  STREAMPLANE_TLS_DIR: env.nonEmpty().optional(),
  /**
   * The plaintext port that serves grpc.health.v1.Health alone, for probes that present no certificate;
   * unset: the service's default (9551–9557), or any free port when GRPC_PORT is 0; 0: any free port.
   */
  HEALTH_PORT: env.port().optional(),
});

export type PlatformConfig = z.infer<typeof platformConfigSchema>;

/** Parses `source` with `schema`, collecting every problem (not just the first) into one ConfigError. */
export function loadConfig<S extends z.ZodType>(schema: S, source: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = issue.path.join('.') || '(environment)';
    const raw = source[variable];
    const received =
      raw === undefined
        ? 'it is not set'
        : isSecretVariable(variable)
          ? `got ${Buffer.byteLength(raw, 'utf8')} bytes, not shown`
          : `got ${JSON.stringify(withoutCredentials(raw))}`;
    return `${variable}: ${issue.message} (${received})`;
  });
  throw new ConfigError(problems);
}

/** A refused secret must not reach the logs it is refused in: its value is never echoed. */
function isSecretVariable(variable: string): boolean {
  return /(SECRET|PASSWORD|TOKEN|_KEY)$/.test(variable);
}

/** A store URL's password, likewise: postgres://user:…@host keeps the rest, which says what is wrong. */
function withoutCredentials(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}
