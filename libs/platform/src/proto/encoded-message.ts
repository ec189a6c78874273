import type { MessageTypeDefinition, PackageDefinition } from '@grpc/proto-loader';

/** A service's loaded .proto files (loadProtos), as its server and clients use them. */
export type ServiceProtos = PackageDefinition;

/**
 * An answer already in protobuf wire form. A handler returns one when it can assemble its answer from
 * parts it encoded once (a large list of the same messages, answered again and again), instead of
 * having every part encoded again for every call; the server sends the bytes as they are
 * (definitionForServing). Callers see an ordinary message.
 */
export class EncodedMessage {
  constructor(readonly bytes: Buffer) {}
}

/** A serializer that sends an EncodedMessage as it is and encodes anything else with `serialize`. */
export function passingEncodedMessages(serialize: (value: object) => Buffer): (value: object) => Buffer {
  return (value) => (value instanceof EncodedMessage ? value.bytes : serialize(value));
}

/**
 * One occurrence of a message-typed field, from the field's number and the message's own encoding: a
 * protobuf message is the concatenation of its fields in any order, and a repeated field may occur any
 * number of times, so encoded parts can be joined into a whole without being decoded.
 */
export function embeddedMessageField(fieldNumber: number, message: Uint8Array): Buffer {
  const LENGTH_DELIMITED = 2;
  const header = [...varint((fieldNumber << 3) | LENGTH_DELIMITED), ...varint(message.length)];
  const field = Buffer.allocUnsafe(header.length + message.length);
  field.set(header, 0);
  field.set(message, header.length);
  return field;
}

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return bytes;
}

/** A message type of a loaded definition, with the number of each of its fields. */
export interface MessageCodec {
  /** Encodes as grpc-js would (proto-loader's serializer: names as in the proto, enums by name). */
  encode(value: object): Buffer;
  fieldNumber(name: string): number;
}

export function messageCodec(definition: ServiceProtos, typeName: string): MessageCodec {
  const entry = definition[typeName] as MessageTypeDefinition<object, object> | undefined;
  if (entry?.format !== 'Protocol Buffer 3 DescriptorProto')
    throw new Error(`${typeName} is not a message type of this definition`);
  const fields = new Map(
    (entry.type as { field: Array<{ name: string; number: number }> }).field.map((field) => [field.name, field.number]),
  );
  return {
    encode: entry.serialize,
    fieldNumber(name) {
      const number = fields.get(name);
      if (number === undefined) throw new Error(`${typeName} has no field ${name}`);
      return number;
    },
  };
}
