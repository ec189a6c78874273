import { loadSync } from '@grpc/proto-loader';
import { join } from 'node:path';
import { FileDescriptorProto, type IDescriptorProto, type IFileDescriptorProto } from 'protobufjs/ext/descriptor';
import { PROTO_LOADER_OPTIONS } from '../src/proto/proto-loader';
import { mapEntryName, normalizeDescriptors } from '../src/reflection/normalize-descriptors';

const FIXTURES = join(__dirname, 'fixtures', 'proto');

function normalizedFiles(): Map<string, IFileDescriptorProto> {
  const definition = loadSync(['fixture/a/v1/a.proto', 'fixture/b/v1/b.proto'], {
    ...PROTO_LOADER_OPTIONS,
    includeDirs: [FIXTURES],
  });
  const normalized = normalizeDescriptors(
    definition,
    new Map([
      ['fixture.a.v1', 'fixture/a/v1/a.proto'],
      ['fixture.b.v1', 'fixture/b/v1/b.proto'],
    ]),
  );
  const encoded = (normalized['fixture.b.v1.BService'] as unknown as { fileDescriptorProtos: Uint8Array[] })
    .fileDescriptorProtos;
  const files = encoded.map(
    (bytes) => FileDescriptorProto.toObject(FileDescriptorProto.decode(bytes)) as IFileDescriptorProto,
  );
  return new Map(files.map((file) => [file.name ?? '', file]));
}

function message(file: IFileDescriptorProto | undefined, name: string): IDescriptorProto {
  const found = file?.messageType?.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no message ${name}`);
  return found;
}

describe('reflection descriptor normalisation', () => {
  it('names map entries as protoc does', () => {
    expect(mapEntryName('localized_names')).toBe('LocalizedNamesEntry');
    expect(mapEntryName('by_id')).toBe('ByIdEntry');
    expect(mapEntryName('labels')).toBe('LabelsEntry');
  });

  it('gives each package the file it came from and splits out well-known types', () => {
    expect([...normalizedFiles().keys()].sort()).toEqual([
      'fixture/a/v1/a.proto',
      'fixture/b/v1/b.proto',
      'google/protobuf/timestamp.proto',
    ]);
  });

  it('qualifies every reference and renames map entries', () => {
    const files = normalizedFiles();
    const thing = message(files.get('fixture/a/v1/a.proto'), 'Thing');
    const typeOf = (field: string): string | undefined => thing.field?.find((f) => f.name === field)?.typeName;
    expect(typeOf('localized_names')).toBe('.fixture.a.v1.Thing.LocalizedNamesEntry');
    expect(typeOf('at')).toBe('.google.protobuf.Timestamp');
    expect(typeOf('kind')).toBe('.fixture.a.v1.Kind');
    expect(typeOf('inner')).toBe('.fixture.a.v1.Thing.Inner');
    expect(thing.nestedType?.map((nested) => nested.name).sort()).toEqual(['Inner', 'LocalizedNamesEntry']);

    const holder = message(files.get('fixture/b/v1/b.proto'), 'Holder');
    expect(holder.field?.find((f) => f.name === 'by_id')?.typeName).toBe('.fixture.b.v1.Holder.ByIdEntry');
    const entry = holder.nestedType?.find((nested) => nested.name === 'ByIdEntry');
    expect(entry?.field?.find((f) => f.name === 'value')?.typeName).toBe('.fixture.a.v1.Thing');
  });

  it('lists each file’s dependencies', () => {
    const files = normalizedFiles();
    expect(files.get('fixture/a/v1/a.proto')?.dependency).toEqual(['google/protobuf/timestamp.proto']);
    expect(files.get('fixture/b/v1/b.proto')?.dependency).toEqual(['fixture/a/v1/a.proto']);
  });
});
