import { status, type Client, type ServiceError } from '@grpc/grpc-js';
import { PLATFORM_APIS, SERVICE_NAMES, type ServiceName } from '@streamplane/contracts';
import type {
  ClearFaultRulesResponse,
  FaultRule,
  ListFaultRulesResponse,
  SetFaultRuleRequest__Input,
} from '@streamplane/contracts/chaos/v1';
import {
  instancesOfHealthEntries,
  loadConfig,
  platformConfigSchema,
  staticAddressSchema,
  CHANNEL_OPTIONS,
  type ConsulHealthEntry,
} from '@streamplane/platform';
// Its own entry point: the platform's main one loads no Consul client (test/architecture/entry-points).
import {
  consulClient,
  consulServiceName,
  describeAgent,
  loadConsulConnection,
  withTokenRefusal,
  type ConsulConnection,
} from '@streamplane/platform/consul';
import { grpcClientConstructor, type GrpcClientConstructor } from '../grpc-client-constructor';
import { toolCredentials } from '../tool-credentials';
import { platformAddresses } from '../load/platform-calls';

/**
 * How `npm run chaos -- latency|error|list|clear` reaches every instance of a service, and what it asks
 * each one: the same discovery the services use (static <SERVICE>_ADDR addresses, or every passing
 * instance Consul knows with STREAMPLANE_DISCOVERY=consul), then the instance's own FaultRulesService.
 */

/** The variables the tool reads, validated once at start as the services validate theirs. */
export const faultRuleToolConfigSchema = platformConfigSchema
  .pick({
    STREAMPLANE_DISCOVERY: true,
    CONSUL_HTTP_ADDR: true,
    CONSUL_HTTP_SSL: true,
    CONSUL_CACERT: true,
    CONSUL_TLS_SERVER_NAME: true,
    CONSUL_HTTP_TOKEN: true,
    CONSUL_HTTP_TOKEN_FILE: true,
    STREAMPLANE_CONSUL_SERVICE_NAME: true,
  })
  .and(staticAddressSchema(SERVICE_NAMES));

/** Where the tool finds instances: under Consul discovery, how Consul is reached (its files read once). */
export interface FaultRuleToolConfig {
  consul?: { connection: ConsulConnection; serviceNameTemplate: string };
}

/** The tool's configuration from `env`; throws ConfigError naming every bad variable, Consul's files included. */
export function loadFaultRuleToolConfig(env: NodeJS.ProcessEnv): FaultRuleToolConfig {
  const config = loadConfig(faultRuleToolConfigSchema, env);
  if (config.STREAMPLANE_DISCOVERY !== 'consul') return {};
  return {
    consul: {
      connection: loadConsulConnection(config),
      serviceNameTemplate: config.STREAMPLANE_CONSUL_SERVICE_NAME,
    },
  };
}

/** Longest wait for Consul or for one instance: an operator is waiting at a terminal. */
const ANSWER_TIMEOUT_MS = 5_000;

export interface Instance {
  service: ServiceName;
  /** host:port */
  address: string;
}

/** Every instance of `service` to set or read rules on; rejects with a sentence saying why there is none. */
export async function instancesOf(
  service: ServiceName,
  config: FaultRuleToolConfig,
  env: NodeJS.ProcessEnv,
): Promise<Instance[]> {
  if (!config.consul) return [{ service, address: platformAddresses(env)[service] }];
  // As the services reach Consul: the same agent, transport and ACL token.
  const { connection, serviceNameTemplate } = config.consul;
  const agent = describeAgent(connection);
  const name = consulServiceName(serviceNameTemplate, service);
  let answer: unknown;
  try {
    // timeout is the client's request option, which its types leave out.
    const request = { service: name, passing: true, timeout: ANSWER_TIMEOUT_MS };
    answer = await consulClient(connection).health.service(request);
  } catch (error) {
    answer = error;
  }
  // The client hands some failures back instead of throwing them (see ConsulWatcher): anything but entries is one.
  if (!Array.isArray(answer)) {
    const refused = withTokenRefusal(answer, `for the instances of ${name} at ${agent}`);
    if (refused !== answer) throw refused;
    throw new Error(`Consul at ${agent} did not answer for ${name} (${causeOf(answer)})`);
  }
  const instances = instancesOfHealthEntries(answer as ConsulHealthEntry[]);
  if (instances.length === 0) throw new Error(`Consul at ${agent} knows no passing instance of ${name}`);
  return instances.map(({ address, port }) => ({
    service,
    address: address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`,
  }));
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { message?: string } }).cause?.message;
  return cause ?? (error as Error)?.message ?? String(error);
}

type UnaryMethod = (
  request: object,
  options: { deadline: number },
  callback: (error: ServiceError | null, response: unknown) => void,
) => void;

/** One instance's FaultRulesService. */
export class FaultRulesClient {
  private static constructorOfApi?: GrpcClientConstructor;
  private readonly client: Client;

  constructor(readonly instance: Instance) {
    const { grpcService, protoFile } = PLATFORM_APIS.faultRules;
    FaultRulesClient.constructorOfApi ??= grpcClientConstructor(grpcService, [protoFile]);
    // Under STREAMPLANE_TLS=enabled, as `operator`: no other identity may change fault rules.
    this.client = new FaultRulesClient.constructorOfApi(instance.address, toolCredentials(), CHANNEL_OPTIONS);
  }

  set(request: SetFaultRuleRequest__Input): Promise<FaultRule> {
    return this.call('SetFaultRule', request);
  }

  async list(): Promise<FaultRule[]> {
    return (await this.call<ListFaultRulesResponse>('ListFaultRules', {})).rules;
  }

  async clear(): Promise<FaultRule[]> {
    return (await this.call<ClearFaultRulesResponse>('ClearFaultRules', {})).cleared_rules;
  }

  close(): void {
    this.client.close();
  }

  private call<Response>(method: string, request: object): Promise<Response> {
    const unary = (this.client as unknown as Record<string, UnaryMethod>)[method]!;
    return new Promise((resolve, reject) =>
      unary.call(this.client, request, { deadline: Date.now() + ANSWER_TIMEOUT_MS }, (error, response) =>
        error ? reject(error) : resolve(response as Response),
      ),
    );
  }
}

/** What to tell the operator when an instance did not do what it was asked. */
export function describeFailure(error: unknown): string {
  const { code, details } = error as Partial<ServiceError>;
  if (code === status.UNIMPLEMENTED) {
    return 'does not serve the fault rules API: start it with STREAMPLANE_FAULTS=enabled (e.g. STREAMPLANE_FAULTS=enabled npm start)';
  }
  if (code === status.UNAVAILABLE || code === status.DEADLINE_EXCEEDED) {
    // grpc-js wraps the socket's error in sentences of its own: the socket's is what says why.
    const socketError = /Last error: (?:Error: )?(.*?)\.? Resolution note/.exec(details ?? '')?.[1];
    return `is unreachable (${socketError ?? details ?? status[code]})`;
  }
  if (code !== undefined) return `refused: ${status[code] ?? code}: ${details}`;
  return `failed: ${(error as Error).message}`;
}
