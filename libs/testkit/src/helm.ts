import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);
import { REPO_ROOT } from '@streamplane/tools';
export const CHART = join(REPO_ROOT, 'helm', 'streamplane');

// The real helm binary: from PATH, or unpacked from its npm package by the install step; never fetched here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { installedHelmPath } = require('@streamplane/tools/ensure-helm') as { installedHelmPath: () => string };

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs helm with `args`; never throws for a non-zero exit (tests look at the code and stderr). */
export async function helm(args: string[]): Promise<HelmResult> {
  // A missing helm throws here, in one line saying how to get it, rather than failing as a helm error.
  const binary = installedHelmPath();
  try {
    const { stdout, stderr } = await run(binary, args, {
      cwd: REPO_ROOT,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : 1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
    };
  }
}

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** `helm template` with `--set` style values and optional values files; the rendered objects. */
export async function renderChart(
  options: { set?: Record<string, string>; values?: string[]; releaseName?: string; namespace?: string } = {},
): Promise<KubernetesObject[]> {
  const args = [
    'template',
    options.releaseName ?? 'streamplane',
    CHART,
    '--namespace',
    options.namespace ?? 'streamplane',
  ];
  for (const [key, value] of Object.entries(options.set ?? {})) args.push('--set', `${key}=${value}`);
  for (const file of options.values ?? []) args.push('--values', file);
  const result = await helm(args);
  if (result.code !== 0) throw new Error(`helm template failed (${result.code}):\n${result.stderr}`);
  return parseManifests(result.stdout);
}

export function parseManifests(text: string): KubernetesObject[] {
  return parseAllDocuments(text)
    .map((document) => document.toJS() as KubernetesObject | null)
    .filter((object): object is KubernetesObject => object !== null && typeof object === 'object');
}
