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

/** The instant of a google.protobuf.Timestamp as proto-loader decodes it (seconds as a string or number). */
export function fromTimestamp(
  timestamp: { seconds?: string | number | null; nanos?: number | null } | null | undefined,
): Date {
  const seconds = Number(timestamp?.seconds ?? 0);
  return new Date(seconds * 1000 + Math.floor((timestamp?.nanos ?? 0) / 1_000_000));
}
