import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Nest's default filter for message handlers turns every error into `{status: 'error', message:
 * 'Internal server error'}`, which would hide a TransientError (Redis or the broker away) from
 * the transport, so the message would be dead-lettered instead of retried. This filter hands the
 * original error on; the transport decides (see kafka-transport/inbound-message.ts).
 */
@Catch()
export class RethrowRpcFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
