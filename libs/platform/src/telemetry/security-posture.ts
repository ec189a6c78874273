import type { Meter } from '@opentelemetry/api';
import type { z } from 'zod';
import { activeTelemetry } from './telemetry';

/**
 * What a process says about its own security posture, for the Security Monkey, which reads it from the
 * process's /metrics rather than from its configuration or Secrets (it must never read a secret):
 * `streamplane_security_posture{faults,tls,development_secrets} 1`.
 */
export interface SecurityPosture {
  faults: 'enabled' | 'disabled';
  tls: 'enabled' | 'disabled';
  /** Names of the secret variables running on their built-in local-development value. */
  developmentSecrets: string[];
}

/** Secret variables by naming convention: STREAMPLANE_AUTH_SECRET, STREAMPLANE_CDN_SECRET, … */
const SECRET_VARIABLE = /^STREAMPLANE_\w+_SECRET$/;

/**
 * The posture of a process from its validated `config`. A secret counts as a development secret when it
 * equals what `schema` gives with the variable unset: the services' defaults are the local-development
 * secret (libs/streaming's LOCAL_DEVELOPMENT_SECRET), so this catches it unset and set to it alike,
 * without the platform knowing the value. STREAMPLANE_TLS is read from the environment until the
 * platform's config carries it.
 */
export function securityPostureOf(
  schema: z.ZodType,
  config: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): SecurityPosture {
  const developmentSecrets = Object.keys(config)
    .filter((name) => SECRET_VARIABLE.test(name))
    .filter((name) => {
      const unset = schema.safeParse({ ...env, [name]: undefined });
      return unset.success && (unset.data as Record<string, unknown>)[name] === config[name];
    })
    .sort();
  return {
    faults: config.STREAMPLANE_FAULTS === 'enabled' ? 'enabled' : 'disabled',
    tls: (config.STREAMPLANE_TLS ?? env.STREAMPLANE_TLS) === 'enabled' ? 'enabled' : 'disabled',
    developmentSecrets,
  };
}

/** Exports the posture as a gauge of 1 whose labels are the facts; they do not change while it runs. */
export function exportSecurityPosture(posture: SecurityPosture, meter: Meter = activeTelemetry().meter): void {
  const attributes = {
    faults: posture.faults,
    tls: posture.tls,
    development_secrets: posture.developmentSecrets.join(','),
  };
  meter
    .createObservableGauge('streamplane.security.posture', {
      description:
        'Always 1; the labels say whether faults and TLS are enabled and which secrets are development ones.',
    })
    .addCallback((result) => result.observe(1, attributes));
}
