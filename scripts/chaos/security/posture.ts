import { request } from 'node:http';
import type { Finding } from './findings';

/**
 * What each process says about itself on its /metrics (libs/platform's security-posture.ts):
 * `streamplane_security_posture{faults,tls,development_secrets} 1`. The monkey learns from it whether
 * faults are on, TLS off or development secrets in use, and never reads a configuration or a Secret.
 */

export interface ReportedPosture {
  faults: string;
  tls: string;
  developmentSecrets: string[];
}

const POSTURE_LINE = /^streamplane_security_posture\{([^}]*)\}\s+1(?:\s|$)/m;

/** The posture in a Prometheus text exposition, or undefined when the gauge is not there. */
export function parsePosture(exposition: string): ReportedPosture | undefined {
  const labels = POSTURE_LINE.exec(exposition)?.[1];
  if (labels === undefined) return undefined;
  const values = Object.fromEntries(
    [...labels.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, name, value]) => [name, value!.replace(/\\(.)/g, '$1')]),
  );
  return {
    faults: values.faults ?? 'unknown',
    tls: values.tls ?? 'unknown',
    developmentSecrets: (values.development_secrets ?? '').split(',').filter(Boolean),
  };
}

/** The findings of one process's posture (undefined: it could not be read). */
export function auditPosture(subject: string, posture: ReportedPosture | undefined, problem?: string): Finding[] {
  if (!posture) {
    return [
      {
        rule: 'posture-unknown',
        severity: 'medium',
        subject,
        message: `${subject} did not report its security posture${problem ? ` (${problem})` : ''}`,
        fix: 'run a build that exports streamplane_security_posture, and let the monkey reach its metrics port',
      },
    ];
  }
  const found: Finding[] = [];
  if (posture.faults !== 'disabled') {
    found.push({
      rule: 'faults-enabled',
      severity: 'medium',
      subject,
      message: `${subject} runs with STREAMPLANE_FAULTS=${posture.faults}: any caller can inject errors and latency`,
      fix: 'set STREAMPLANE_FAULTS=disabled outside test and game-day environments',
    });
  }
  if (posture.tls !== 'enabled') {
    found.push({
      rule: 'tls-disabled',
      severity: 'high',
      subject,
      message: `${subject} serves plaintext gRPC (STREAMPLANE_TLS=${posture.tls}): callers are neither encrypted nor identified`,
      fix: 'set STREAMPLANE_TLS=enabled (tls.enabled in the chart) with a certificate in STREAMPLANE_TLS_DIR',
    });
  }
  if (posture.developmentSecrets.length > 0) {
    found.push({
      rule: 'development-secrets',
      severity: 'high',
      subject,
      message: `${subject} uses the published local-development value of ${posture.developmentSecrets.join(', ')}: anyone can mint tokens or CDN URLs`,
      fix: 'give each a random secret of its own (secrets.authSecret, secrets.cdnSecret or an existing Secret in the chart)',
    });
  }
  return found;
}

/** GET http://<address>/metrics with a short deadline; rejects on anything but a 200. */
export function fetchMetrics(address: string, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const url = new URL(`http://${address}/metrics`);
    const outgoing = request(url, { timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        response.statusCode === 200
          ? resolve(Buffer.concat(chunks).toString('utf8'))
          : reject(new Error(`HTTP ${response.statusCode} from ${url.href}`)),
      );
      response.on('error', reject);
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`${url.href} did not answer within ${timeoutMs} ms`)));
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/**
 * Each process's posture findings, read from its metrics address, how many of them answered at all, and
 * the postures that could be read (by subject): the probes learn from them whether to dial under TLS.
 */
export async function auditReportedPostures(
  metricsAddresses: Record<string, string>,
): Promise<{ findings: Finding[]; answered: number; postures: Record<string, ReportedPosture> }> {
  let answered = 0;
  const postures: Record<string, ReportedPosture> = {};
  const audits = Object.entries(metricsAddresses).map(async ([subject, address]) => {
    let exposition: string;
    try {
      exposition = await fetchMetrics(address);
    } catch (error) {
      return auditPosture(subject, undefined, error instanceof Error ? error.message : String(error));
    }
    answered += 1;
    const posture = parsePosture(exposition);
    if (posture) postures[subject] = posture;
    return auditPosture(subject, posture, `no streamplane_security_posture at ${address}`);
  });
  return { findings: (await Promise.all(audits)).flat(), answered, postures };
}
