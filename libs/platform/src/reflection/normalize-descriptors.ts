import type { PackageDefinition } from '@grpc/proto-loader';
import {
  FileDescriptorProto,
  type IDescriptorProto,
  type IFieldDescriptorProto,
  type IFileDescriptorProto,
} from 'protobufjs/ext/descriptor';

/**
 * @grpc/proto-loader derives file descriptors from protobufjs's merged view of the schema, and those are
 * not what protoc would produce: files are merged per package under invented names, type references are
 * relative, `dependency` lists are empty, and map entry types are misnamed (grpc/grpc-node#2595,
 * fullstorydev/grpcurl#519). grpcurl and buf curl reject such descriptors. This rewrites them into the
 * shape protoc emits, so server reflection works with every client:
 *   - each package's file takes the path of the .proto it came from (well-known types get their own
 *     canonical google/protobuf/*.proto files);
 *   - every type reference is fully qualified (leading dot);
 *   - map entry types are named <FieldName>Entry;
 *   - each file lists the files it depends on.
 */

const WELL_KNOWN_TYPE_FILES: Record<string, string> = {
  Any: 'google/protobuf/any.proto',
  Duration: 'google/protobuf/duration.proto',
  Empty: 'google/protobuf/empty.proto',
  FieldMask: 'google/protobuf/field_mask.proto',
  Timestamp: 'google/protobuf/timestamp.proto',
  Struct: 'google/protobuf/struct.proto',
  Value: 'google/protobuf/struct.proto',
  ListValue: 'google/protobuf/struct.proto',
  NullValue: 'google/protobuf/struct.proto',
  DoubleValue: 'google/protobuf/wrappers.proto',
  FloatValue: 'google/protobuf/wrappers.proto',
  Int64Value: 'google/protobuf/wrappers.proto',
  UInt64Value: 'google/protobuf/wrappers.proto',
  Int32Value: 'google/protobuf/wrappers.proto',
  UInt32Value: 'google/protobuf/wrappers.proto',
  BoolValue: 'google/protobuf/wrappers.proto',
  StringValue: 'google/protobuf/wrappers.proto',
  BytesValue: 'google/protobuf/wrappers.proto',
};

const TYPE_MESSAGE = 11;
const TYPE_ENUM = 14;

type FileObject = IFileDescriptorProto & { messageType: IDescriptorProto[] };

/** protoc's name for the implicit entry type of a map field: foo_bar → FooBarEntry. */
export function mapEntryName(fieldName: string): string {
  let result = '';
  let capitalizeNext = true;
  for (const char of fieldName) {
    if (char === '_') {
      capitalizeNext = true;
    } else if (capitalizeNext) {
      result += char.toUpperCase();
      capitalizeNext = false;
    } else {
      result += char;
    }
  }
  return `${result}Entry`;
}

/**
 * @param definition what proto-loader returned
 * @param fileOfPackage the .proto path (relative to the include root) each non-Google package came from
 * @returns a package definition whose fileDescriptorProtos are protoc-shaped, for ReflectionService only
 */
export function normalizeDescriptors(
  definition: PackageDefinition,
  fileOfPackage: ReadonlyMap<string, string>,
): PackageDefinition {
  const files = splitWellKnownTypes(renameFiles(decodeUniqueFiles(definition), fileOfPackage));
  const fileOfSymbol = new Map<string, string>();
  for (const file of files) {
    renameMapEntries(file.messageType);
    indexSymbols(file, fileOfSymbol);
  }
  for (const file of files) qualifyReferences(file, fileOfSymbol);

  const encoded = files.map((file) => FileDescriptorProto.encode(FileDescriptorProto.fromObject(file)).finish());
  const normalized: PackageDefinition = {};
  for (const [name, entry] of Object.entries(definition)) {
    normalized[name] = { ...entry, fileDescriptorProtos: encoded } as PackageDefinition[string];
  }
  return normalized;
}

function decodeUniqueFiles(definition: PackageDefinition): FileObject[] {
  const byName = new Map<string, FileObject>();
  for (const entry of Object.values(definition)) {
    const protos = (entry as { fileDescriptorProtos?: Buffer[] }).fileDescriptorProtos ?? [];
    for (const bytes of protos) {
      const file = FileDescriptorProto.toObject(FileDescriptorProto.decode(bytes), { arrays: true }) as FileObject;
      if (file.name && !byName.has(file.name)) byName.set(file.name, file);
    }
  }
  return [...byName.values()];
}

function renameFiles(files: FileObject[], fileOfPackage: ReadonlyMap<string, string>): FileObject[] {
  return files.map((file) => {
    const source = file.package ? fileOfPackage.get(file.package) : undefined;
    return source ? { ...file, name: source } : file;
  });
}

/** proto-loader puts every google.protobuf type into one file; clients expect the canonical files. */
function splitWellKnownTypes(files: FileObject[]): FileObject[] {
  const result: FileObject[] = [];
  for (const file of files) {
    if (file.package !== 'google.protobuf') {
      result.push(file);
      continue;
    }
    const split = new Map<string, FileObject>();
    const fileFor = (typeName: string): FileObject => {
      const name = WELL_KNOWN_TYPE_FILES[typeName] ?? file.name ?? 'google/protobuf/unknown.proto';
      let target = split.get(name);
      if (!target) {
        target = { name, package: 'google.protobuf', syntax: file.syntax ?? 'proto3', messageType: [], enumType: [] };
        split.set(name, target);
      }
      return target;
    };
    for (const message of file.messageType) fileFor(message.name ?? '').messageType.push(message);
    for (const enumType of file.enumType ?? []) fileFor(enumType.name ?? '').enumType?.push(enumType);
    result.push(...split.values());
  }
  return result;
}

function renameMapEntries(messages: IDescriptorProto[] | undefined): void {
  for (const message of messages ?? []) {
    const nested = message.nestedType ?? [];
    for (const entry of nested) {
      if (!entry.options?.mapEntry) continue;
      const field = message.field?.find((candidate) => candidate.typeName === entry.name);
      if (field?.name) {
        entry.name = mapEntryName(field.name);
        field.typeName = entry.name;
      }
    }
    renameMapEntries(nested);
  }
}

function indexSymbols(file: FileObject, fileOfSymbol: Map<string, string>): void {
  const prefix = file.package ? `.${file.package}` : '';
  const visit = (messages: IDescriptorProto[] | undefined, scope: string): void => {
    for (const message of messages ?? []) {
      const name = `${scope}.${message.name}`;
      fileOfSymbol.set(name, file.name ?? '');
      for (const enumType of message.enumType ?? []) fileOfSymbol.set(`${name}.${enumType.name}`, file.name ?? '');
      visit(message.nestedType, name);
    }
  };
  visit(file.messageType, prefix);
  for (const enumType of file.enumType ?? []) fileOfSymbol.set(`${prefix}.${enumType.name}`, file.name ?? '');
}

/** Resolves a reference the way protoc does: innermost scope first, then outwards. */
function resolve(reference: string, scope: string, fileOfSymbol: ReadonlyMap<string, string>): string {
  if (reference.startsWith('.')) return reference;
  for (let current = scope; ; current = current.slice(0, current.lastIndexOf('.'))) {
    const candidate = `${current}.${reference}`;
    if (fileOfSymbol.has(candidate)) return candidate;
    if (current === '') break;
  }
  throw new Error(`reflection: cannot resolve type "${reference}" referenced from "${scope}"`);
}

function qualifyReferences(file: FileObject, fileOfSymbol: ReadonlyMap<string, string>): void {
  const dependencies = new Set<string>();
  const qualify = (reference: string, scope: string): string => {
    const qualified = resolve(reference, scope, fileOfSymbol);
    const owner = fileOfSymbol.get(qualified);
    if (owner && owner !== file.name) dependencies.add(owner);
    return qualified;
  };
  const visitFields = (fields: IFieldDescriptorProto[] | undefined, scope: string): void => {
    for (const field of fields ?? []) {
      if ((field.type === TYPE_MESSAGE || field.type === TYPE_ENUM) && field.typeName) {
        field.typeName = qualify(field.typeName, scope);
      }
    }
  };
  const visitMessages = (messages: IDescriptorProto[] | undefined, scope: string): void => {
    for (const message of messages ?? []) {
      const name = `${scope}.${message.name}`;
      visitFields(message.field, name);
      visitMessages(message.nestedType, name);
    }
  };
  const packageScope = file.package ? `.${file.package}` : '';
  visitMessages(file.messageType, packageScope);
  for (const service of file.service ?? []) {
    for (const method of service.method ?? []) {
      if (method.inputType) method.inputType = qualify(method.inputType, packageScope);
      if (method.outputType) method.outputType = qualify(method.outputType, packageScope);
    }
  }
  file.dependency = [...dependencies].sort();
}
