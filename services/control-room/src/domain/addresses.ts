/** host:port, with an IPv6 address in brackets as URLs and gRPC targets want it. */
export function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}
