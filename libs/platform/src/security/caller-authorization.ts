import type { ServerUnaryCall } from '@grpc/grpc-js';
import { PermissionDeniedError } from '../errors/domain-errors';
import type { Logger } from '../logging/logger';
import type { RpcTelemetry } from '../telemetry/rpc-telemetry';
import { identityOfPeer, OPERATOR_IDENTITY, TRUST_DOMAIN } from './identity';

/**
 * Which callers may call which methods of a service: by caller identity, the full method paths
 * (`/streamplane.catalog.v1.CatalogService/GetTitle`) it may call. `operator` may call every method
 * without being listed. Health and reflection are served outside the call pipeline and open to every
 * caller the transport lets in.
 */
export type AuthorizedCallers = Readonly<Record<string, readonly string[]>>;

/**
 * Authorization by caller, under mutual TLS: the caller's identity comes from its certificate (the
 * transport has already checked that the CA issued it), and a call it is not allowed is refused with
 * PERMISSION_DENIED naming caller and method, logged and counted (streamplane.server.denied).
 */
export class CallerAuthorization {
  private readonly allowed: ReadonlyMap<string, ReadonlySet<string>>;

  constructor(
    callers: AuthorizedCallers,
    private readonly logger: Logger,
    private readonly telemetry: RpcTelemetry,
  ) {
    this.allowed = new Map(Object.entries(callers).map(([identity, methods]) => [identity, new Set(methods)]));
  }

  /** Throws PermissionDeniedError unless the caller of `call` may call `method`. */
  check(call: ServerUnaryCall<unknown, unknown>, method: string): void {
    const caller = identityOfPeer(call.getAuthContext()?.sslPeerCertificate);
    if (caller === OPERATOR_IDENTITY || (caller !== undefined && this.allowed.get(caller)?.has(method))) return;
    const named = caller ?? `a caller without a ${TRUST_DOMAIN} identity`;
    this.telemetry.callDenied(caller ?? 'unknown', method);
    this.logger.warn('call denied', { caller: caller ?? null, method });
    throw new PermissionDeniedError(`${named} may not call ${method}`);
  }
}
