import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Every outbound call must go through the platform's resilient client (deadline, retries, breaker,
 * fallback, discovery). This fails the build when a service reaches for gRPC client machinery itself.
 */
const REPO_ROOT = join(__dirname, '..', '..');

const FORBIDDEN: Array<[RegExp, string]> = [
  [/from\s+['"]@grpc\/grpc-js['"]/, 'imports @grpc/grpc-js'],
  [/from\s+['"]@grpc\/proto-loader['"]/, 'imports @grpc/proto-loader'],
  [/require\(\s*['"]@grpc\//, 'requires @grpc/*'],
  [/\bmakeGenericClientConstructor\b/, 'builds a gRPC client constructor'],
  [/\bloadPackageDefinition\b/, 'loads a package definition to build clients'],
  [/\bcredentials\.create/, 'creates channel credentials'],
  [/\bmakeUnaryRequest\b/, 'makes a raw unary request'],
  [/\b(ClientsModule|ClientGrpc|ClientProxyFactory|ClientGrpcProxy)\b/, "uses Nest's own gRPC client"],
];

/**
 * The control room calls no service's API: it asks grpc.health.v1, as a probe does, and receives OTLP, as a
 * collector does. These two adapters are its plain gRPC, and nothing else of it may use gRPC.
 */
const OBSERVER_FILES = new Set([
  'services/control-room/src/adapters/health-probes.ts',
  'services/control-room/src/adapters/otlp-receiver.ts',
]);

export function violations(source: string): string[] {
  return FORBIDDEN.filter(([pattern]) => pattern.test(source)).map(([, reason]) => reason);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('outbound calls', () => {
  it('recognises each way of building a client by hand', () => {
    expect(violations("import { Client, credentials } from '@grpc/grpc-js';")).toContain('imports @grpc/grpc-js');
    expect(
      violations('const C = grpc.makeGenericClientConstructor(def); new C(a, credentials.createInsecure());'),
    ).toEqual(expect.arrayContaining(['builds a gRPC client constructor', 'creates channel credentials']));
    expect(violations('ClientsModule.register([{ transport: Transport.GRPC }])')).toEqual([
      "uses Nest's own gRPC client",
    ]);
    expect(violations("import { ServiceClients } from '../../../libs/platform/src';")).toEqual([]);
  });

  it('are made only through libs/platform in every service', () => {
    const servicesDir = join(REPO_ROOT, 'services');
    const found = readdirSync(servicesDir).flatMap((service) =>
      sourceFiles(join(servicesDir, service, 'src'))
        .filter((file) => !OBSERVER_FILES.has(relative(REPO_ROOT, file)))
        .flatMap((file) =>
          violations(readFileSync(file, 'utf8')).map((reason) => `${relative(REPO_ROOT, file)} ${reason}`),
        ),
    );
    expect(found).toEqual([]);
  });
});
