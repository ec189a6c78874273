import { Server, ServerCredentials } from '@grpc/grpc-js';
import { loadProtos } from '../src/proto/proto-loader';
import { addReflection } from '../src/reflection/reflection';
import { SERVICES } from '@streamplane/contracts';
import { bufCurl, bufListMethods } from '@streamplane/testkit';

/**
 * Reflection over all seven APIs at once, checked with the real buf binary: every service's schema
 * (cross-package imports, well-known types, map fields) must resolve. The server has no handlers, so a
 * call that gets as far as UNIMPLEMENTED proves buf built the request from the reflected descriptors.
 */
describe('server reflection for every Streamplane API', () => {
  const server = new Server();
  let address = '';

  beforeAll(async () => {
    addReflection(server, loadProtos(Object.values(SERVICES).map((service) => service.protoFile)));
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    address = `127.0.0.1:${port}`;
  });

  afterAll(() => server.forceShutdown());

  it.each(Object.values(SERVICES).map((service) => [service.name, service.grpcService] as const))(
    '%s resolves through reflection',
    async (_name, grpcService) => {
      const methods = (await bufListMethods(address)).filter((method) => method.startsWith(`${grpcService}/`));
      expect(methods.length).toBeGreaterThan(0);
      await Promise.all(
        methods.map((method) =>
          expect(bufCurl(address, ['-d', '{}', `http://${address}/${method}`])).rejects.toMatchObject({
            stderr: expect.stringMatching(/unimplemented/),
          }),
        ),
      );
    },
  );
});
