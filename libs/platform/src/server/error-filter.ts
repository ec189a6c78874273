import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Nest's default filter turns any error it does not know into a code-less "Internal server error", which
 * grpc-js reports as UNKNOWN. This hands every error, untouched, to the call pipeline, which maps errors
 * to gRPC statuses in one place.
 */
@Catch()
export class HandToPipelineFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
