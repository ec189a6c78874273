// Validates Kubernetes objects against the API's OpenAPI schemas with kubernetes-models, whose model classes
// are ESM only (its package exports have only an `import` condition), which jest's CommonJS module loader
// cannot load: test/helm/rendered.ts runs this file in a child process instead.
// stdin: a JSON array of objects. stdout: a JSON array of {kind, name, error} for each invalid object.
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { validateCustomResource } from './custom-resources.mjs';

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** kubernetes-models/<group>/<version>/<Kind>: `v1` is the core group, `apps/v1` and the like keep their group. */
async function modelClass(apiVersion, kind) {
  try {
    const module = await import(`kubernetes-models/${apiVersion}/${kind}`);
    return module[kind];
  } catch {
    return undefined;
  }
}

const problems = [];
for (const object of await readStdin()) {
  const name = object?.metadata?.name ?? '(unnamed)';
  const Model = await modelClass(object.apiVersion, object.kind);
  if (!Model) {
    try {
      if (validateCustomResource(object)) continue;
    } catch (error) {
      problems.push({ kind: object.kind, name, error: error.message });
      continue;
    }
    problems.push({
      kind: object.kind,
      name,
      error: `no kubernetes-models class for ${object.apiVersion} ${object.kind}`,
    });
    continue;
  }
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push({ kind: object.kind, name, error: error.message });
  }
}
process.stdout.write(JSON.stringify(problems));
