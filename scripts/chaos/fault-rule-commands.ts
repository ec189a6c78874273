/* eslint-disable no-console -- a command-line tool: it talks to a person on a terminal */
import { SERVICES, SERVICE_NAMES, type ServiceName } from '@streamplane/contracts';
import type { FaultRule } from '@streamplane/contracts/chaos/v1';
import {
  ConfigError,
  InvalidArgumentError,
  loadProtos,
  validateFaultRule,
  type FaultRuleSpec,
  type FaultTarget,
} from '@streamplane/platform';
import { LoadUsageError, parseDuration } from '../load/options';
import {
  describeFailure,
  FaultRulesClient,
  loadFaultRuleToolConfig,
  instancesOf,
  type FaultRuleToolConfig,
  type Instance,
} from './fault-rule-instances';

/**
 * `npm run chaos -- latency|error|list|clear`: the runtime fault rules of every instance of a service
 * (the Latency Monkey). A rule is checked here with the same validation the instances apply, so a mistake
 * is a usage error before anything is sent; then it is set on every instance at once, under the id the
 * instances derive from it, so that each one holds the same rule and setting it again replaces it.
 */

export const FAULT_RULE_SUBCOMMANDS = ['latency', 'error', 'list', 'clear'] as const;
export type FaultRuleSubcommand = (typeof FAULT_RULE_SUBCOMMANDS)[number];

const USAGE = `usage: npm run chaos -- latency --service S [--method M] --delay 300ms --percent 10 [--ttl 10m]
       npm run chaos -- error --service S [--method M] --code UNAVAILABLE --percent 30 [--ttl 10m]
       npm run chaos -- list [--service S]
       npm run chaos -- clear [--service S]
  S: ${SERVICE_NAMES.join(', ')}; without --service, list and clear cover all seven.
  Every instance of S is asked (<SERVICE>_ADDR, or Consul's passing instances with STREAMPLANE_DISCOVERY=consul);
  each must run with STREAMPLANE_FAULTS=enabled. A rule lasts --ttl (default 10m, at most 1h).`;

const OPTIONS: Record<FaultRuleSubcommand, { required: readonly string[]; optional: readonly string[] }> = {
  latency: { required: ['--service', '--delay', '--percent'], optional: ['--method', '--ttl'] },
  error: { required: ['--service', '--code', '--percent'], optional: ['--method', '--ttl'] },
  list: { required: [], optional: ['--service'] },
  clear: { required: [], optional: ['--service'] },
};

/** Which option gave the value a request field is checked for, to name it in a usage error. */
const OPTION_OF_FIELD: Record<string, string> = {
  method: '--method',
  latency_ms: '--delay',
  error_code: '--code',
  percent: '--percent',
  ttl: '--ttl',
};

class FaultRuleUsageError extends Error {}

interface FaultRuleCommand {
  tool: FaultRuleSubcommand;
  services: ServiceName[];
  /** For latency and error: the rule, as checked. */
  rule?: FaultRuleSpec;
}

export async function faultRuleCommand(
  tool: FaultRuleSubcommand,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  let command: FaultRuleCommand;
  let config: FaultRuleToolConfig;
  try {
    command = parseFaultRuleCommand(tool, args);
    config = toolConfig(env);
  } catch (error) {
    if (!(error instanceof FaultRuleUsageError)) throw error;
    console.error(`npm run chaos -- ${tool}: ${error.message}\n${USAGE}`);
    return 2;
  }
  const outcomes = await Promise.all(command.services.map((service) => runOnService(command, service, config, env)));
  let failed = false;
  for (const { lines, problems } of outcomes) {
    for (const line of lines) console.log(line);
    for (const problem of problems) console.error(problem);
    failed ||= problems.length > 0;
  }
  return failed ? 1 : 0;
}

function toolConfig(env: NodeJS.ProcessEnv): FaultRuleToolConfig {
  try {
    return loadFaultRuleToolConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new FaultRuleUsageError(error.problems.join('; '));
    throw error;
  }
}

export function parseFaultRuleCommand(tool: FaultRuleSubcommand, args: readonly string[]): FaultRuleCommand {
  const { required, optional } = OPTIONS[tool];
  const given = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    const option = args[i]!;
    if (!required.includes(option) && !optional.includes(option)) {
      throw new FaultRuleUsageError(
        `unknown option ${option} (${tool} takes ${[...required, ...optional].join(', ')})`,
      );
    }
    const value = args[i + 1];
    if (value === undefined || value.startsWith('--')) throw new FaultRuleUsageError(`${option} needs a value`);
    if (given.has(option)) throw new FaultRuleUsageError(`${option} is given twice`);
    given.set(option, value);
  }
  const missing = required.filter((option) => !given.has(option));
  if (missing.length > 0) throw new FaultRuleUsageError(`${tool} needs ${missing.join(' and ')}`);

  const service = given.get('--service');
  if (service !== undefined && !(SERVICE_NAMES as string[]).includes(service)) {
    throw new FaultRuleUsageError(`--service: no service is called ${service} (${SERVICE_NAMES.join(', ')})`);
  }
  const services = service === undefined ? [...SERVICE_NAMES] : [service as ServiceName];
  if (tool === 'list' || tool === 'clear') return { tool, services };

  const rule: FaultRuleSpec = {
    method: given.get('--method'),
    percent: percentOf(given.get('--percent')!),
    ttlMs: given.has('--ttl') ? durationOf('--ttl', given.get('--ttl')!) : undefined,
    ...(tool === 'latency'
      ? { latencyMs: durationOf('--delay', given.get('--delay')!) }
      : { errorCode: given.get('--code') }),
  };
  return { tool, services, rule: { ...rule, method: checkedMethod(rule, services[0]!) } };
}

function percentOf(text: string): number {
  const percent = Number(text.replace(/%$/, ''));
  if (text.trim() === '' || !Number.isFinite(percent)) {
    throw new FaultRuleUsageError(`--percent takes a number above 0 and at most 100 (got ${text})`);
  }
  return percent;
}

/** A duration with its unit: a bare number would leave open whether 300 means milliseconds or seconds. */
function durationOf(option: string, text: string): number {
  if (/^\s*\d+(\.\d+)?\s*$/.test(text)) {
    throw new FaultRuleUsageError(`${option} takes a duration with its unit, such as 300ms, 2s or 10m (got ${text})`);
  }
  try {
    return parseDuration(text, option);
  } catch (error) {
    if (error instanceof LoadUsageError) throw new FaultRuleUsageError(error.message);
    throw error;
  }
}

/**
 * Checks `rule` with the instances' own validation, against the service's proto, naming the option instead
 * of the field; answers the method's full name (undefined: every method).
 */
function checkedMethod(rule: FaultRuleSpec, service: ServiceName): string | undefined {
  const { grpcService, protoFile } = SERVICES[service];
  const target: FaultTarget = { grpcService, methods: Object.keys(loadProtos([protoFile]).definition[grpcService]!) };
  try {
    return validateFaultRule(rule, target).method?.replace(/^\//, '');
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    const { reason } = error;
    throw new FaultRuleUsageError(`${OPTION_OF_FIELD[error.field] ?? error.field}: ${reason}`);
  }
}

interface ServiceOutcome {
  lines: string[];
  problems: string[];
}

/** Runs the command on every instance of `service`: one line per instance and rule, or the problem. */
async function runOnService(
  command: FaultRuleCommand,
  service: ServiceName,
  config: FaultRuleToolConfig,
  env: NodeJS.ProcessEnv,
): Promise<ServiceOutcome> {
  let instances: Instance[];
  try {
    instances = await instancesOf(service, config, env);
  } catch (error) {
    return { lines: [], problems: [`${service}: ${(error as Error).message}`] };
  }
  const outcomes = await Promise.all(
    instances.map(async (instance): Promise<ServiceOutcome> => {
      const client = new FaultRulesClient(instance);
      const where = `${instance.service} ${instance.address}`;
      try {
        return { lines: (await runOnInstance(command, client)).map((line) => `${where}  ${line}`), problems: [] };
      } catch (error) {
        return { lines: [], problems: [`${where}: ${describeFailure(error)}`] };
      } finally {
        client.close();
      }
    }),
  );
  return { lines: outcomes.flatMap(({ lines }) => lines), problems: outcomes.flatMap(({ problems }) => problems) };
}

async function runOnInstance(command: FaultRuleCommand, client: FaultRulesClient): Promise<string[]> {
  switch (command.tool) {
    case 'latency':
    case 'error': {
      const { method, errorCode, latencyMs, percent, ttlMs } = command.rule!;
      const ttl =
        ttlMs === undefined
          ? null
          : { seconds: String(Math.floor(ttlMs / 1000)), nanos: Math.round((ttlMs % 1000) * 1e6) };
      const rule = await client.set({
        method: method ?? '',
        error_code: errorCode ?? '',
        latency_ms: latencyMs ?? 0,
        percent,
        ttl,
      });
      return [`set ${describeRule(rule)}`];
    }
    case 'list': {
      const rules = await client.list();
      return rules.length === 0 ? ['no rules'] : rules.map(describeRule);
    }
    case 'clear': {
      const cleared = await client.clear();
      return cleared.length === 0 ? ['no rules to clear'] : cleared.map((rule) => `cleared ${describeRule(rule)}`);
    }
  }
}

/** "latency-GetTitle: +300 ms on 10 % of GetTitle calls, 4 so far, until 2026-01-01T10:10:00Z". */
export function describeRule(rule: FaultRule): string {
  const fault = rule.error_code !== '' ? rule.error_code : `+${rule.latency_ms} ms`;
  const method = rule.method === '' ? 'all' : rule.method.slice(rule.method.lastIndexOf('/') + 1);
  const expiresAt = new Date(Number(rule.expires_at?.seconds ?? 0) * 1000).toISOString().replace('.000Z', 'Z');
  return `${rule.rule_id}: ${fault} on ${rule.percent} % of ${method} calls, ${rule.injected_calls} so far, until ${expiresAt}`;
}
