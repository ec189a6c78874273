import { status } from '@grpc/grpc-js';
import { isTargetUnreachable } from '../src/client/resilient-client';
import { statusError } from '../src/errors/grpc-status';

describe('isTargetUnreachable', () => {
  it.each([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.RESOURCE_EXHAUSTED, status.INTERNAL, status.UNKNOWN])(
    'treats code %d as the target not answering',
    (code) => expect(isTargetUnreachable(statusError(code, 'down'))).toBe(true),
  );

  it.each([status.NOT_FOUND, status.INVALID_ARGUMENT, status.PERMISSION_DENIED, status.FAILED_PRECONDITION])(
    'treats code %d as an answer',
    (code) => expect(isTargetUnreachable(statusError(code, 'no'))).toBe(false),
  );

  it('does not mistake a plain error for a status', () => {
    expect(isTargetUnreachable(new Error('boom'))).toBe(false);
  });
});
