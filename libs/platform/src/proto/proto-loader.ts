import { loadSync, type Options, type PackageDefinition } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * How every Streamplane process turns .proto files into JavaScript objects. Fields keep their proto
 * (snake_case) names; enums are their names; 64-bit integers are strings (no silent precision loss);
 * unset scalars get their defaults, except `optional` fields, whose absence stays visible.
 */
export const PROTO_LOADER_OPTIONS: Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** The directory holding `streamplane/<service>/v1/*.proto`, found from source, dist or an image. */
export function protoRoot(): string {
  const configured = process.env.STREAMPLANE_PROTO_ROOT;
  if (configured) return configured;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'proto');
    if (existsSync(join(candidate, 'streamplane'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`no proto/streamplane directory above ${__dirname}`);
  }
}

export interface LoadedProtos {
  definition: PackageDefinition;
  /** The .proto path each package came from, as protoc would name the file. */
  fileOfPackage: Map<string, string>;
}

const HEALTH_PROTO_FILE = 'grpc/health/v1/health.proto';

/** Loads Streamplane proto files (paths below proto/) plus grpc.health.v1, which every server hosts. */
export function loadProtos(files: readonly string[]): LoadedProtos {
  const root = protoRoot();
  const definition = loadSync([...files, basename(healthProtoPath)], {
    ...PROTO_LOADER_OPTIONS,
    includeDirs: [root, dirname(healthProtoPath)],
  });
  const fileOfPackage = new Map<string, string>([['grpc.health.v1', HEALTH_PROTO_FILE]]);
  for (const file of files) {
    const declared = /^\s*package\s+([\w.]+)\s*;/m.exec(readFileSync(join(root, file), 'utf8'));
    if (declared) fileOfPackage.set(declared[1], file);
  }
  return { definition, fileOfPackage };
}
