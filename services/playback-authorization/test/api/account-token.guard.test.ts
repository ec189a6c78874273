import { Metadata } from '@grpc/grpc-js';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { UnauthenticatedError } from '@streamplane/platform/errors';
import { signAccountToken } from '@streamplane/streaming';
import { ManualClock } from '@streamplane/testkit';
import { AccountTokenGuard, authenticatedAccount } from '../../src/api/account-token.guard';

const SECRET = 'the-auth-secret-of-these-tests';

/** What Nest hands a guard for a gRPC call: the request, the call's metadata, the call. */
function grpcCall(headers: Record<string, string> = {}): ExecutionContextHost {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
  const context = new ExecutionContextHost([{ profile_id: '' }, metadata, {}]);
  context.setType('rpc');
  return context;
}

describe('AccountTokenGuard', () => {
  let clock: ManualClock;
  let guard: AccountTokenGuard;

  beforeEach(() => {
    clock = new ManualClock('2026-06-01T12:00:00Z');
    guard = new AccountTokenGuard({ STREAMPLANE_AUTH_SECRET: SECRET }, clock);
  });

  const bearer = (accountId: string, options: { secret?: string; expiresInSeconds?: number } = {}) => ({
    authorization: `Bearer ${signAccountToken(accountId, options.secret ?? SECRET, { now: clock.now(), ...options })}`,
  });

  it('lets a call with a valid bearer token through, as the token’s account', () => {
    const call = grpcCall(bearer('acct-0001'));
    expect(guard.canActivate(call)).toBe(true);
    expect(authenticatedAccount(call)).toBe('acct-0001');
  });

  it('keeps each call’s account apart', () => {
    const first = grpcCall(bearer('acct-0001'));
    const second = grpcCall(bearer('acct-0002'));
    guard.canActivate(first);
    guard.canActivate(second);
    expect([authenticatedAccount(first), authenticatedAccount(second)]).toEqual(['acct-0001', 'acct-0002']);
  });

  it.each([
    ['no token', {}, /missing authorization/],
    ['a token that is not a bearer token', { authorization: 'Basic YWxhZGRpbjpvcGVu' }, /Bearer/],
    ['garbage', { authorization: 'Bearer abc.def' }, /not a JWT/],
  ])('refuses %s with UNAUTHENTICATED', (_, headers, message) => {
    const call = grpcCall(headers);
    expect(() => guard.canActivate(call)).toThrow(UnauthenticatedError);
    expect(() => guard.canActivate(call)).toThrow(message);
    expect(() => authenticatedAccount(call)).toThrow(/not authenticated/);
  });

  it('refuses a token signed with another secret', () => {
    const call = grpcCall(bearer('acct-0001', { secret: 'not-the-platform-secret!' }));
    expect(() => guard.canActivate(call)).toThrow(UnauthenticatedError);
    expect(() => guard.canActivate(call)).toThrow(/signature/);
  });

  it('judges expiry by the injected clock', () => {
    const token = bearer('acct-0001', { expiresInSeconds: 60 });
    clock.advance(59_000);
    expect(guard.canActivate(grpcCall(token))).toBe(true);
    clock.advance(2_000);
    expect(() => guard.canActivate(grpcCall(token))).toThrow(UnauthenticatedError);
    expect(() => guard.canActivate(grpcCall(token))).toThrow(/expired/);
  });
});
