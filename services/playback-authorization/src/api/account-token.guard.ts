import { createParamDecorator, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { CLOCK, SERVICE_CONFIG, type Clock } from '@streamplane/platform';
import { AccountTokenVerifier } from '@streamplane/streaming';
import type { PlaybackConfig } from '../config';

/** What the guard reads of a gRPC call's metadata (Nest's RPC context of a gRPC handler). */
interface CallMetadata {
  get(key: string): unknown[];
}

/**
 * The account each call being served authenticated as, keyed by the call's metadata (one object per
 * call, so an entry goes with its call). Never a metadata entry: a caller could send one itself.
 */
const authenticatedAccounts = new WeakMap<CallMetadata, string>();

/**
 * Authenticates every call of a controller by its `authorization: Bearer <account token>` metadata,
 * before anything else looks at the request: a guard runs before Nest's pipes, so an anonymous caller
 * gets UNAUTHENTICATED and learns nothing about what a valid request looks like.
 */
@Injectable()
export class AccountTokenGuard implements CanActivate {
  private readonly tokens: AccountTokenVerifier;

  constructor(
    @Inject(SERVICE_CONFIG) config: Pick<PlaybackConfig, 'STREAMPLANE_AUTH_SECRET'>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.tokens = new AccountTokenVerifier(config.STREAMPLANE_AUTH_SECRET);
  }

  /** Always true, or throws UnauthenticatedError. */
  canActivate(context: ExecutionContext): true {
    const metadata = context.switchToRpc().getContext<CallMetadata>();
    const [authorization] = metadata.get('authorization');
    const accountId = this.tokens.fromAuthorization(
      authorization === undefined ? undefined : String(authorization),
      this.clock.now(),
    );
    authenticatedAccounts.set(metadata, accountId);
    return true;
  }
}

/** The account AccountTokenGuard authenticated the call as. */
export function authenticatedAccount(context: ExecutionContext): string {
  const accountId = authenticatedAccounts.get(context.switchToRpc().getContext<CallMetadata>());
  if (accountId === undefined) {
    throw new Error('the call was not authenticated: its handler is not behind AccountTokenGuard');
  }
  return accountId;
}

/** A handler parameter: the id of the account the caller's token names. */
export const CallerAccount = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  authenticatedAccount(context),
);
