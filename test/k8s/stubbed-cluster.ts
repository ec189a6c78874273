import { execFile } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '@streamplane/tools';

/**
 * A machine for k8s/cluster.sh and k8s/smoke.sh without a cluster: a copy of the scripts in a small
 * repository of their own, and stand-ins for docker, kind, minikube, kubectl, helm, grpcurl and curl that
 * log every call, keep just enough state (clusters, images, kubeconfig entries) for the scripts'
 * decisions, and fail on request. Nothing here reaches the network or a container engine.
 */

/** The commands the stand-ins replace; a test leaves some out to see them reported missing. */
export const STUBBED = ['docker', 'kind', 'minikube', 'kubectl', 'helm', 'grpcurl', 'curl'] as const;
export type Stubbed = (typeof STUBBED)[number];

/** Logs the call, then fails it when its command line starts with a line of STUB_FAIL. */
const PRELUDE = `#!/usr/bin/env bash
call="\${0##*/} $*"
printf '%s\\n' "$call" >>"$STUB_LOG"
while IFS= read -r failing; do
  if [ -n "$failing" ] && [[ "$call" == "$failing"* ]]; then echo "ERROR: $failing failed (stub)" >&2; exit 1; fi
done <<<"\${STUB_FAIL:-}"
`;

/** What each stand-in does beyond logging, with its state as files under $STUB_STATE. */
const BEHAVIOUR: Record<Stubbed, string> = {
  docker: `case "$1" in
  build) while [ "$1" != -t ]; do shift; done; echo "$2" >>"$STUB_STATE/images" ;;
  image) [ "$2" = inspect ] && grep -qxF "$3" "$STUB_STATE/images" 2>/dev/null ;;
  save) echo "image archive" >"$3" ;;
esac`,
  // Like kind, it adds the cluster's kubeconfig entries when it creates it and removes them when it deletes it.
  kind: `case "$1 $2" in
  "get clusters") if [ -f "$STUB_STATE/kind-cluster" ]; then echo streamplane; else echo "No kind clusters found." >&2; fi ;;
  "create cluster") touch "$STUB_STATE/kind-cluster"; for entry in context cluster user; do echo kind-streamplane >"$STUB_STATE/kubeconfig-$entry"; done ;;
  "delete cluster") rm -f "$STUB_STATE/kind-cluster" "$STUB_STATE"/kubeconfig-* ;;
  "load image-archive") [ -f "$3" ] ;;
esac`,
  minikube: `case "$*" in
  "profile list -o json") if [ -f "$STUB_STATE/minikube-profile" ]; then echo '{"invalid":[],"valid":[{"Name":"streamplane","Status":"Running"}]}'; else echo "No minikube profile was found." >&2; exit 85; fi ;;
  "start -p streamplane"*) touch "$STUB_STATE/minikube-profile" ;;
  "delete -p streamplane") rm -f "$STUB_STATE/minikube-profile" ;;
esac`,
  // \`kubectl config view -o jsonpath={.contexts[?(@.name=="…")].name}\` (or .clusters, .users) answers the
  // entry's name when the stand-in kubeconfig has it.
  kubectl: `case "$1 $2" in
  "config view") for entry in context cluster user; do [[ "$*" == *".\${entry}s["* ]] && cat "$STUB_STATE/kubeconfig-$entry" 2>/dev/null; done; true ;;
  "config delete-"*) rm -f "$STUB_STATE/kubeconfig-\${2#delete-}" ;;
esac`,
  helm: '',
  grpcurl: '',
  curl: '',
};

/** Files of the scripts' repository copied as they are: the scripts under test and what they run. */
const COPIED = [
  'k8s/cluster.sh',
  'k8s/lib.sh',
  'k8s/smoke.sh',
  'k8s/minikube.env',
  'k8s/kind-config.yaml',
  'scripts/image-tag.js',
  'scripts/ensure-helm.js',
  '.dockerignore',
];

/** A build context of its own, small enough to hash in no time; the real .dockerignore decides what is in it. */
const SOURCES: Record<string, string> = {
  Dockerfile: 'FROM node:24-bookworm-slim\nCOPY . .\n',
  'package.json': '{ "name": "streamplane" }\n',
  'services/catalog/src/main.ts': 'export const answer = 42;\n',
  'README.md': '# Streamplane\n',
  'helm/streamplane/values.yaml': 'image:\n  tag: ""\n',
};

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** The stubbed commands called, one command line each, in order. */
  calls: string[];
}

export interface StubbedCluster {
  /** The copied repository: its k8s/cluster.sh, scripts/image-tag.js and build context. */
  repo: string;
  /** TMPDIR of every run, where the load fallback's archive must not stay behind. */
  tmp: string;
  /** Runs `bash <repo>/<script> args…` with the stand-ins first on PATH. */
  run(script: string, args: string[], env?: Record<string, string>): Promise<Run>;
  /** Writes a file of the copied repository (a changed source, README, chart). */
  write(path: string, content: string): void;
  /** The kind cluster's nodes go away behind kind's back (`docker rm -f`), its kubeconfig entries stay. */
  loseKindNodes(): void;
  remove(): void;
}

/**
 * Everything of /usr/bin and /bin but the stubbed commands and node's own tools, so that a command missing
 * from the stand-ins is missing from PATH, whatever this machine has installed; node itself is the one
 * running the tests.
 */
function systemBin(root: string): string {
  const bin = join(root, 'system-bin');
  mkdirSync(bin);
  const hidden = new Set<string>([...STUBBED, 'node', 'npm', 'npx', 'corepack']);
  for (const directory of ['/usr/bin', '/bin']) {
    if (!existsSync(directory)) continue;
    for (const name of readdirSync(directory)) {
      if (hidden.has(name) || existsSync(join(bin, name))) continue;
      symlinkSync(join(directory, name), join(bin, name));
    }
  }
  symlinkSync(process.execPath, join(bin, 'node'));
  return bin;
}

/** A fresh stubbed machine; `without` leaves those commands off PATH. */
export function stubbedCluster(options: { without?: Stubbed[] } = {}): StubbedCluster {
  const root = mkdtempSync(join(tmpdir(), 'streamplane-k8s-'));
  const repo = join(root, 'repo');
  const stubs = join(root, 'stubs');
  const state = join(root, 'state');
  const tmp = join(root, 'tmp');
  const log = join(root, 'calls.log');
  for (const directory of [repo, stubs, state, tmp]) mkdirSync(directory);
  writeFileSync(log, '');

  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), content);
  };
  for (const path of COPIED) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    copyFileSync(join(REPO_ROOT, path), join(repo, path));
  }
  for (const [path, content] of Object.entries(SOURCES)) write(path, content);

  for (const command of STUBBED) {
    if (options.without?.includes(command)) continue;
    writeFileSync(join(stubs, command), `${PRELUDE}${BEHAVIOUR[command]}\n`);
    chmodSync(join(stubs, command), 0o755);
  }
  const path = `${stubs}:${systemBin(root)}`;

  return {
    repo,
    tmp,
    write,
    loseKindNodes: () => rmSync(join(state, 'kind-cluster'), { force: true }),
    run: (script, args, env = {}) =>
      new Promise((resolve) => {
        execFile(
          '/bin/bash',
          [join(repo, script), ...args],
          {
            cwd: root,
            timeout: 20_000,
            env: {
              PATH: path,
              HOME: root,
              TMPDIR: tmp,
              STUB_LOG: log,
              STUB_STATE: state,
              // Where scripts/ensure-helm.js would keep a fetched helm: empty, so helm is only what PATH has.
              STREAMPLANE_TOOL_CACHE: join(root, 'tool-cache'),
              ...env,
            },
          },
          (error, stdout, stderr) => {
            const calls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
            writeFileSync(log, '');
            const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
            resolve({ code, stdout, stderr, calls });
          },
        );
      }),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** The tag scripts/image-tag.js derives for a context (the copied repository, or the real one). */
export function imageTag(context: string, ...flags: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, 'scripts', 'image-tag.js'), context, ...flags],
      (error, stdout, stderr) => (error ? reject(new Error(`image-tag: ${stderr}`)) : resolve(stdout.trim())),
    );
  });
}
