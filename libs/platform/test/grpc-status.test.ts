import { Metadata, status } from '@grpc/grpc-js';
import {
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  UnavailableError,
} from '../src/errors/domain-errors';
import { toStatusError } from '../src/errors/grpc-status';

describe('error to gRPC status mapping', () => {
  it.each([
    [new InvalidArgumentError('title_id', 'is required'), status.INVALID_ARGUMENT, 'title_id: is required'],
    [new NotFoundError('title', 'tt99999'), status.NOT_FOUND, 'title "tt99999" not found'],
    [
      new FailedPreconditionError('title "tt1" is not available in FR'),
      status.FAILED_PRECONDITION,
      'title "tt1" is not available in FR',
    ],
    [new PermissionDeniedError('nope'), status.PERMISSION_DENIED, 'nope'],
    [new UnavailableError('billing is unavailable'), status.UNAVAILABLE, 'billing is unavailable'],
  ])('maps %p', (error, code, details) => {
    expect(toStatusError(error).error).toMatchObject({ code, details });
    expect(toStatusError(error).incidentId).toBeUndefined();
  });

  it('passes statuses from downstream through', () => {
    const downstream = Object.assign(new Error('5 NOT_FOUND: profile "p" not found'), {
      code: status.NOT_FOUND,
      details: 'profile "p" not found',
      metadata: new Metadata(),
    });
    expect(toStatusError(downstream).error).toMatchObject({ code: status.NOT_FOUND, details: 'profile "p" not found' });
  });

  it('hides unexpected errors behind INTERNAL with an incident id', () => {
    const mapped = toStatusError(new TypeError("Cannot read properties of undefined (reading 'secret')"));
    expect(mapped.error.code).toBe(status.INTERNAL);
    expect(mapped.error.details).not.toMatch(/secret/);
    expect(mapped.error.details).toContain(mapped.incidentId);
  });

  it('never produces UNKNOWN, even for thrown non-errors', () => {
    expect(toStatusError('a string').error.code).toBe(status.INTERNAL);
    expect(toStatusError({ code: status.UNKNOWN, details: 'peer bug' }).error.code).toBe(status.INTERNAL);
  });
});
