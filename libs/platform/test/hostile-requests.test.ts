import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import type { MessageTypeDefinition, ServiceDefinition } from '@grpc/proto-loader';
import { Controller, Module } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { SERVICES } from '@streamplane/contracts';
import { platformConfigSchema } from '../src/config/config';
import { loadProtos } from '../src/proto/proto-loader';
import { TRACE_ID_TRAILER } from '../src/server/call-pipeline';
import { MAX_REQUEST_BYTES } from '../src/server/grpc-transport';
import { startService, type RunningService } from '../src/server/run-service';
import { splitGrpcService } from '../src/server/service-descriptor';
import { definitionForServing } from '../src/server/serving-definition';
import { UnparsableRequest } from '../src/server/unparsable-requests';

/** Bytes that no protobuf message parses from: a varint tag that runs off the end. */
const NOT_PROTOBUF = Buffer.from([0xff, 0xff, 0xff]);

describe('request deserializers of a server', () => {
  const definition = loadProtos(Object.values(SERVICES).map((service) => service.protoFile)).definition;
  const marked = definitionForServing(definition);
  const methods = Object.values(SERVICES).flatMap((service) => {
    const { packageName } = splitGrpcService(service);
    return Object.entries(definition[service.grpcService] as ServiceDefinition).map(
      ([name, method]) =>
        [
          `${service.grpcService}/${name}`,
          service.grpcService,
          name,
          `${packageName}.${(method.requestType.type as { name: string }).name}`,
        ] as const,
    );
  });

  it.each(methods)(
    '%s answers a marker naming its request type for bytes that are not one',
    (_path, service, name, requestType) => {
      const unparsable = (marked[service] as ServiceDefinition)[name]!.requestDeserialize(NOT_PROTOBUF);
      expect(unparsable).toBeInstanceOf(UnparsableRequest);
      expect((unparsable as UnparsableRequest).reason).toBe(`the request is not a valid ${requestType} message`);
    },
  );

  it('still parse valid requests, and leave the definition clients are built from as it was', () => {
    const getTitle = (marked['streamplane.catalog.v1.CatalogService'] as ServiceDefinition).GetTitle!;
    const request = getTitle.requestSerialize({ title_id: 'tt00001', country: 'US' });
    expect(getTitle.requestDeserialize(request)).toMatchObject({ title_id: 'tt00001', country: 'US' });
    const original = (definition['streamplane.catalog.v1.CatalogService'] as ServiceDefinition).GetTitle!;
    expect(() => original.requestDeserialize(NOT_PROTOBUF)).toThrow();
    expect(getTitle.responseDeserialize).toBe(original.responseDeserialize);
  });
});

/**
 * A real platform server (startService, Nest, grpc-js) on 127.0.0.1, called with raw bytes by a grpc-js
 * client whose serializers are the identity: what a hostile or broken caller can put on the wire.
 */
describe('a platform server given hostile request bytes', () => {
  const service = SERVICES.subtitles;
  const requestsSeen: unknown[] = [];

  @Controller()
  class RecordingSubtitlesController {
    @GrpcMethod('SubtitlesService', 'ListTracks')
    listTracks(request: unknown) {
      requestsSeen.push(request);
      return { tracks: [] };
    }

    @GrpcMethod('SubtitlesService', 'GetTrack')
    getTrack(request: unknown) {
      requestsSeen.push(request);
      return { track_id: 'tt00001-en' };
    }
  }

  @Module({ controllers: [RecordingSubtitlesController] })
  class RecordingSubtitlesModule {}

  const messages = loadProtos([service.protoFile]).definition;
  const messageType = (name: string) =>
    messages[`streamplane.subtitles.v1.${name}`] as MessageTypeDefinition<object, object>;
  let server: RunningService;
  let client: Client;

  beforeAll(async () => {
    server = await startService({
      service,
      module: RecordingSubtitlesModule,
      configSchema: platformConfigSchema,
      env: { GRPC_HOST: '127.0.0.1', GRPC_PORT: '0', METRICS_HOST: '127.0.0.1', METRICS_PORT: '0', LOG_LEVEL: 'error' },
    });
    client = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    await server?.shutdown('tests done');
  });

  beforeEach(() => (requestsSeen.length = 0));

  interface RawAnswer {
    error: ServiceError | null;
    response?: Buffer;
    trailers?: Metadata;
  }

  function callWithBytes(
    method: string,
    request: Buffer,
    path = `/${service.grpcService}/${method}`,
  ): Promise<RawAnswer> {
    return new Promise((resolve) => {
      let trailers: Metadata | undefined;
      const call = client.makeUnaryRequest(
        path,
        (bytes: Buffer) => bytes,
        (bytes: Buffer) => bytes,
        request,
        new Metadata(),
        { deadline: Date.now() + 10_000 },
        (error, response) => resolve({ error, response, trailers }),
      );
      call.on('status', (answer) => (trailers = answer.metadata));
    });
  }

  it('answers a valid request', async () => {
    const answer = await callWithBytes(
      'ListTracks',
      Buffer.from(messageType('ListTracksRequest').serialize({ title_id: 'tt00001' })),
    );
    expect(answer.error).toBeNull();
    expect(messageType('ListTracksResponse').deserialize(answer.response!)).toMatchObject({ tracks: [] });
    expect(requestsSeen).toEqual([expect.objectContaining({ title_id: 'tt00001' })]);
  });

  it.each([
    ['ListTracks', 'ListTracksRequest'],
    ['GetTrack', 'GetTrackRequest'],
  ])('refuses bytes that do not parse as %s’s request with INVALID_ARGUMENT naming it', async (method, requestType) => {
    const { error } = await callWithBytes(method, NOT_PROTOBUF);
    expect(error).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: `the request is not a valid streamplane.subtitles.v1.${requestType} message`,
    });
    // Refused inside the call pipeline, so the caller can still find the call by its trace.
    expect(error!.metadata.get(TRACE_ID_TRAILER)).toEqual([expect.stringMatching(/^[0-9a-f]{32}$/)]);
    expect(requestsSeen).toEqual([]);
  });

  it('reads a request of the largest allowed size', async () => {
    // A title id filling the limit: 1 byte of field tag and 4 of length before it.
    const request = Buffer.from(
      messageType('ListTracksRequest').serialize({ title_id: 'x'.repeat(MAX_REQUEST_BYTES - 5) }),
    );
    expect(request.length).toBe(MAX_REQUEST_BYTES);
    const { error } = await callWithBytes('ListTracks', request);
    expect(error).toBeNull();
    expect(requestsSeen).toHaveLength(1);
  });

  it('refuses a larger request with RESOURCE_EXHAUSTED naming the limit, before any handler runs', async () => {
    const { error } = await callWithBytes('ListTracks', Buffer.alloc(MAX_REQUEST_BYTES + 1));
    expect(error).toMatchObject({
      code: status.RESOURCE_EXHAUSTED,
      details: `Received message larger than max (${MAX_REQUEST_BYTES + 1} vs ${MAX_REQUEST_BYTES})`,
    });
    expect(requestsSeen).toEqual([]);
  });

  describe('to its reflection service', () => {
    // ServerReflectionRequest { list_services: "" }: field 7, length-delimited, empty (the same in v1alpha).
    const listServices = Buffer.from([0x3a, 0x00]);

    /** Writes `messages` on one ServerReflectionInfo stream; resolves with what came back and how it ended. */
    function reflect(
      version: 'v1' | 'v1alpha',
      messages: Buffer[],
    ): Promise<{ answers: number; error?: ServiceError }> {
      return new Promise((resolve) => {
        let answers = 0;
        const stream = client.makeBidiStreamRequest(
          `/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`,
          (bytes: Buffer) => bytes,
          (bytes: Buffer) => bytes,
          new Metadata(),
          { deadline: Date.now() + 10_000 },
        );
        stream.on('data', () => (answers += 1));
        stream.on('error', (error: ServiceError) => resolve({ answers, error }));
        stream.on('end', () => resolve({ answers }));
        for (const message of messages) stream.write(message);
        stream.end();
      });
    }

    it.each(['v1', 'v1alpha'] as const)('%s answers valid requests on a stream', async (version) => {
      expect(await reflect(version, [listServices, listServices])).toEqual({ answers: 2 });
    });

    it.each(['v1', 'v1alpha'] as const)(
      '%s ends the stream with INVALID_ARGUMENT naming the request type at bytes that do not parse',
      async (version) => {
        const { answers, error } = await reflect(version, [listServices, NOT_PROTOBUF, listServices]);
        expect(answers).toBe(1);
        expect(error).toMatchObject({
          code: status.INVALID_ARGUMENT,
          details: `the request is not a valid grpc.reflection.${version}.ServerReflectionRequest message`,
        });
      },
    );
  });

  describe('to its health service', () => {
    const health = loadProtos([]).definition;
    const healthMessage = (name: string) =>
      health[`grpc.health.v1.${name}`] as MessageTypeDefinition<object, { status?: string }>;

    it('answers a valid Check', async () => {
      const request = Buffer.from(healthMessage('HealthCheckRequest').serialize({ service: '' }));
      const { error, response } = await callWithBytes('Check', request, '/grpc.health.v1.Health/Check');
      expect(error).toBeNull();
      expect(healthMessage('HealthCheckResponse').deserialize(response!).status).toBe('SERVING');
    });

    it('refuses bytes that do not parse, in Check and in Watch, with INVALID_ARGUMENT naming the request type', async () => {
      const { error } = await callWithBytes('Check', NOT_PROTOBUF, '/grpc.health.v1.Health/Check');
      expect(error).toMatchObject({
        code: status.INVALID_ARGUMENT,
        details: 'the request is not a valid grpc.health.v1.HealthCheckRequest message',
      });
      const watched = await new Promise<ServiceError>((resolve) => {
        const stream = client.makeServerStreamRequest(
          '/grpc.health.v1.Health/Watch',
          (bytes: Buffer) => bytes,
          (bytes: Buffer) => bytes,
          NOT_PROTOBUF,
          new Metadata(),
          { deadline: Date.now() + 10_000 },
        );
        stream.on('data', () => undefined);
        stream.on('error', resolve);
      });
      expect(watched).toMatchObject({
        code: status.INVALID_ARGUMENT,
        details: 'the request is not a valid grpc.health.v1.HealthCheckRequest message',
      });
    });
  });
});
