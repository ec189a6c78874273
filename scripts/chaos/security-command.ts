/* eslint-disable no-console -- a command-line tool: it talks to a person on a terminal */
import { writeFileSync } from 'node:fs';
import { EDGE, SERVICE_NAMES, SERVICES, type ServiceName } from '@streamplane/contracts';
import { ConfigError, staticAddressVariable } from '@streamplane/platform';
import { LOCAL_DEVELOPMENT_SECRET } from '@streamplane/streaming';
import { toolCredentials } from '../tool-credentials';
import { auditNamespace } from './security/audit-rules';
import {
  findingsExposition,
  findingsTable,
  reachesFailOn,
  securityReport,
  SEVERITIES,
  type FailOn,
  type Finding,
} from './security/findings';
import { KubernetesNamespace } from './security/kubernetes-namespace';
import { auditReportedPostures } from './security/posture';
import { runProbes } from './security/probes';
import { pushFindings, pushGatewayUrl } from './security/push-gateway';
import { disallowedCallerOf, runTlsProbes } from './security/tls-probes';

/**
 * `npm run chaos -- security [--fail-on high|medium|low|none] [--report sec.json] [--port-offset N]
 * [--kubernetes] [--without-edge] [--metrics FILE] [--push-gateway URL]`: the Security Monkey. It reads every process's self-reported posture from its /metrics,
 * probes the running platform as an attacker would (probes.ts) and, with --kubernetes, audits the
 * namespace of the kubeconfig's context (or the pod's own) for pod security, RBAC and NetworkPolicy
 * (security/audit-rules.ts), recording each finding as an Event. It prints the findings as a table and,
 * with --report, writes them as JSON; with --metrics, writes `streamplane_security_findings_total{rule,severity}`
 * in the Prometheus text format (for node_exporter's textfile collector: a run ends, so nothing scrapes it);
 * with --push-gateway, PUTs the same counter to a Prometheus Pushgateway (security/push-gateway.ts), which
 * Prometheus scrapes in its place. A push that fails is said on stderr and does not change the exit code.
 * --without-edge skips the edge, for a platform that runs none. Exit 1 when a finding reaches --fail-on (default high), else 0;
 * 2 on bad usage; 1 too when no process of the platform answers (without --kubernetes: nothing to audit).
 *
 * Where the platform is: `<SERVICE>_ADDR` and `EDGE_ADDR` as the other tools, `<SERVICE>_METRICS_ADDR`
 * and `EDGE_METRICS_ADDR` for the metrics endpoints; each defaults to 127.0.0.1 and the design port plus
 * --port-offset, which is where `npm start -- --port-offset N` puts them.
 *
 * Under TLS (STREAMPLANE_TLS=enabled, or a process reporting tls="enabled" in its posture) it dials as the
 * tools do (tool-credentials.ts) and adds the TLS probes (security/tls-probes.ts); the certificate of an
 * identity the policy refuses is the one in SECURITY_MONKEY_APP_TLS_DIR (the chart mounts it), else one from
 * the development CA (STREAMPLANE_DEV_CA_DIR, else the run directory).
 */

export const SECURITY_USAGE =
  'usage: npm run chaos -- security [--fail-on high|medium|low|none] [--report sec.json] [--port-offset N] [--kubernetes] [--without-edge] [--metrics FILE] [--push-gateway URL]';

export interface SecurityOptions {
  failOn: FailOn;
  reportPath?: string;
  portOffset: number;
  kubernetes: boolean;
  withoutEdge: boolean;
  metricsPath?: string;
  pushGateway?: URL;
}

class SecurityUsageError extends Error {}

const FAIL_ON: readonly FailOn[] = [...SEVERITIES, 'none'];

export function parseSecurityArguments(args: readonly string[]): SecurityOptions {
  const options: SecurityOptions = { failOn: 'high', portOffset: 0, kubernetes: false, withoutEdge: false };
  for (let i = 0; i < args.length; i++) {
    const option = args[i]!;
    if (option === '--kubernetes' || option === '--without-edge') {
      options[option === '--kubernetes' ? 'kubernetes' : 'withoutEdge'] = true;
      continue;
    }
    if (!['--fail-on', '--report', '--port-offset', '--metrics', '--push-gateway'].includes(option)) {
      throw new SecurityUsageError(`unknown option ${option}`);
    }
    const value = args[++i];
    if (value === undefined || value.startsWith('--')) throw new SecurityUsageError(`${option} needs a value`);
    if (option === '--fail-on') {
      if (!(FAIL_ON as readonly string[]).includes(value)) {
        throw new SecurityUsageError(`--fail-on takes ${FAIL_ON.join(', ')} (got ${value})`);
      }
      options.failOn = value as FailOn;
    } else if (option === '--report') {
      options.reportPath = value;
    } else if (option === '--metrics') {
      options.metricsPath = value;
    } else if (option === '--push-gateway') {
      try {
        options.pushGateway = pushGatewayUrl(value);
      } catch (error) {
        throw new SecurityUsageError(`--push-gateway ${(error as Error).message}`);
      }
    } else {
      if (!/^\d+$/.test(value) || Number(value) > 10_000) {
        throw new SecurityUsageError(`--port-offset takes a whole number from 0 to 10000 (got ${value})`);
      }
      options.portOffset = Number(value);
    }
  }
  return options;
}

/** The variable, else 127.0.0.1 and the design port moved by the offset. */
const addressOf = (env: NodeJS.ProcessEnv, variable: string, port: number, offset: number) =>
  env[variable] || `127.0.0.1:${port + offset}`;

const metricsVariable = (name: string) => staticAddressVariable(name).replace(/_ADDR$/, '_METRICS_ADDR');

/** Where each service and the edge serve, and where their metrics are. */
export function securityTargets(env: NodeJS.ProcessEnv, offset: number) {
  const services = Object.fromEntries(
    SERVICE_NAMES.map((name) => [name, addressOf(env, staticAddressVariable(name), SERVICES[name].port, offset)]),
  ) as Record<ServiceName, string>;
  const metrics: Record<string, string> = Object.fromEntries(
    SERVICE_NAMES.map((name) => [name, addressOf(env, metricsVariable(name), SERVICES[name].metricsPort, offset)]),
  );
  metrics[EDGE.name] = addressOf(env, metricsVariable(EDGE.name), EDGE.metricsPort, offset);
  return { services, metrics, edge: addressOf(env, 'EDGE_ADDR', EDGE.httpPort, offset) };
}

/** One Event per finding; an Event that cannot be recorded is said once, never fatal: the report has it. */
async function recordEvents(cluster: KubernetesNamespace, findings: readonly Finding[]): Promise<void> {
  let failures = 0;
  let last = '';
  for (const finding of findings) {
    await cluster.record(finding).catch((error: unknown) => {
      failures += 1;
      last = error instanceof Error ? error.message : String(error);
    });
  }
  if (failures > 0) console.error(`npm run chaos -- security: ${failures} Event(s) not recorded: ${last}`);
}

export async function securityCommand(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let options: SecurityOptions;
  try {
    options = parseSecurityArguments(args);
  } catch (error) {
    if (!(error instanceof SecurityUsageError)) throw error;
    console.error(`npm run chaos -- security: ${error.message}\n${SECURITY_USAGE}`);
    return 2;
  }
  const targets = securityTargets(env, options.portOffset);
  if (options.withoutEdge) delete targets.metrics[EDGE.name];
  const postures = await auditReportedPostures(targets.metrics);
  if (postures.answered === 0 && !options.kubernetes) {
    const offset = options.portOffset === 0 ? '' : ` -- --port-offset ${options.portOffset}`;
    console.error(
      `npm run chaos -- security: no platform answers (no metrics at ${Object.values(targets.metrics).join(', ')}); start one with npm start${offset}`,
    );
    return 1;
  }
  const underTls =
    env.STREAMPLANE_TLS === 'enabled' || Object.values(postures.postures).some((posture) => posture.tls === 'enabled');
  let disallowedCaller;
  let tlsCredentials;
  try {
    // Looked for before the tools' credentials, which make a development CA where there is none.
    disallowedCaller = underTls ? disallowedCallerOf(env) : undefined;
    tlsCredentials = underTls ? toolCredentials({ ...env, STREAMPLANE_TLS: 'enabled' }) : undefined;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`npm run chaos -- security: ${error.message}`);
    return 2;
  }
  const findings: Finding[] = [
    ...postures.findings,
    ...(await runProbes({
      services: targets.services,
      edge: options.withoutEdge ? undefined : targets.edge,
      // The monkey's own signing secrets, as `npm run token` has them: never read from the platform.
      authSecret: env.STREAMPLANE_AUTH_SECRET || LOCAL_DEVELOPMENT_SECRET,
      cdnSecret: env.STREAMPLANE_CDN_SECRET || LOCAL_DEVELOPMENT_SECRET,
      credentials: tlsCredentials,
    })),
  ];
  if (tlsCredentials && disallowedCaller) {
    findings.push(
      ...(await runTlsProbes({
        services: Object.fromEntries(
          SERVICE_NAMES.filter((name) => postures.postures[name]?.tls !== 'disabled').map((name) => [
            name,
            targets.services[name],
          ]),
        ),
        credentials: tlsCredentials,
        disallowedCaller,
      })),
    );
  }
  const cluster = options.kubernetes
    ? await KubernetesNamespace.connect({
        namespace: env.SECURITY_MONKEY_NAMESPACE || undefined,
        instance: env.POD_NAME,
      })
    : undefined;
  if (cluster) findings.push(...auditNamespace(await cluster.objects()));
  const report = securityReport(findings);
  console.log(findingsTable(report));
  if (cluster) await recordEvents(cluster, report.findings);
  if (options.reportPath) writeFileSync(options.reportPath, `${JSON.stringify(report, null, 2)}\n`);
  if (options.metricsPath) writeFileSync(options.metricsPath, findingsExposition(report));
  if (options.pushGateway) {
    await pushFindings(options.pushGateway, findingsExposition(report)).catch((error: unknown) => {
      console.error(`npm run chaos -- security: findings not pushed: ${(error as Error).message}`);
    });
  }
  return reachesFailOn(report, options.failOn) ? 1 : 0;
}
