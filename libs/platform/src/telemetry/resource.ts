import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
  type Resource,
} from '@opentelemetry/resources';
import {
  ATTR_K8S_NAMESPACE_NAME,
  ATTR_K8S_POD_NAME,
  ATTR_SERVICE_INSTANCE_ID,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
} from '@opentelemetry/semantic-conventions';

/** Who is emitting: what every span and the Prometheus target_info carry. */
export interface ServiceIdentity {
  service: string;
  /** service.version; undefined: not reported (see packageVersionOf). */
  version?: string;
  /**
   * From the downward API (K8S_POD_NAME, K8S_NAMESPACE_NAME); absent outside Kubernetes. The pod's name is
   * also the service.instance.id.
   */
  kubernetes?: { podName?: string; namespaceName?: string };
}

/**
 * The process's resource: the SDK's own attributes (telemetry.sdk.*), then the platform's, then
 * OTEL_RESOURCE_ATTRIBUTES (the SDK's envDetector), which wins where it names the same key, so an operator
 * can correct anything, and last service.name, which is the platform's name for the process in logs,
 * discovery and metrics too and is changed only through OTEL_SERVICE_NAME.
 *
 * The instance id outside Kubernetes is `<hostname>-<pid>` rather than a random UUID: as unique among
 * the processes running at one time, and it tells a person which process on which machine to look at.
 */
export function serviceResource(identity: ServiceIdentity): Resource {
  const { podName, namespaceName } = identity.kubernetes ?? {};
  const platform = resourceFromAttributes({
    [ATTR_SERVICE_VERSION]: identity.version,
    [ATTR_SERVICE_INSTANCE_ID]: podName ?? `${hostname()}-${process.pid}`,
    [ATTR_K8S_POD_NAME]: podName,
    [ATTR_K8S_NAMESPACE_NAME]: namespaceName,
  });
  return defaultResource()
    .merge(platform)
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: identity.service }));
}

/**
 * The version of the package `file` belongs to: that of the nearest package.json above it (for
 * services/catalog/dist/main.js, services/catalog/package.json), as in the repository and in the image.
 * Undefined when there is none, or it names no version.
 */
export function packageVersionOf(file: string): string | undefined {
  for (let directory = dirname(file); ; directory = dirname(directory)) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest)) {
      const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown };
      return typeof version === 'string' && version !== '' ? version : undefined;
    }
    if (dirname(directory) === directory) return undefined;
  }
}
