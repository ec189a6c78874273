import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '@streamplane/tools';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** The real buf binary that @bufbuild/buf installs (a grpcurl-equivalent client with `buf curl`). */
export const BUF = join(REPO_ROOT, 'node_modules', '.bin', 'buf');

/**
 * `buf curl` over gRPC with server reflection, the way a person would call a running service. It is the
 * real buf binary; what it accepts, grpcurl accepts too (both use Go's protobuf descriptor rules).
 */
export async function bufCurl(address: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(
    BUF,
    ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', ...args.map((arg) => arg.replace('{address}', address))],
    {
      timeout: 30_000,
    },
  );
}

export async function bufCurlJson<T = Record<string, unknown>>(
  address: string,
  method: string,
  body: object,
): Promise<T> {
  const { stdout } = await bufCurl(address, ['-d', JSON.stringify(body), `http://${address}/${method}`]);
  return JSON.parse(stdout) as T;
}

export async function bufListMethods(address: string): Promise<string[]> {
  const { stdout } = await bufCurl(address, ['--list-methods', `http://${address}`]);
  return stdout.split('\n').filter((line) => line.trim() !== '');
}
