import { TLS_CHANNEL_OPTIONS } from '../security/transport-security';

/**
 * How much response data one connection may have in flight towards this side before the sender must wait
 * for a WINDOW_UPDATE. Node's HTTP/2 default is 64 KiB for the whole connection, and grpc-js does not grow
 * it from the bandwidth-delay product as gRPC's C, Java and Go transports do: a busy caller that is late
 * sending WINDOW_UPDATEs (grpc/grpc-node#2429) leaves every answer that carries a message waiting while
 * trailers-only answers (refusals, errors) still pass, which flow control does not hold back. Under
 * three times its peak, the platform's plays were admitted and then held until the overload ended, one
 * channel from the load generator carrying them all. 1 MiB is the connection window the other gRPC
 * transports start with.
 */
const RECEIVE_WINDOW_BYTES = 1024 * 1024;

/** Options of every channel the platform and its tools dial: the TLS name, and the receive window above. */
export const CHANNEL_OPTIONS = {
  ...TLS_CHANNEL_OPTIONS,
  'grpc-node.flow_control_window': RECEIVE_WINDOW_BYTES,
} as const;
