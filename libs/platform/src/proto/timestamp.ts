/** google.protobuf.Timestamp as proto-loader takes it (64-bit seconds as a string, see PROTO_LOADER_OPTIONS). */
export interface TimestampMessage {
  seconds: string;
  nanos: number;
}

export function toTimestamp(date: Date): TimestampMessage {
  const millis = date.getTime();
  const seconds = Math.floor(millis / 1000);
  return { seconds: String(seconds), nanos: (millis - seconds * 1000) * 1_000_000 };
}
