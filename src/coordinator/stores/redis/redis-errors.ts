import { TransientError } from '../../../ports/transient-error.js';

/** Replies that mean "Redis is there but cannot serve right now": worth retrying. */
const BUSY_REPLIES = /^(LOADING|BUSY|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|NOREPLICAS)\b/;

/**
 * Turns a failed Redis call into what the transports understand: a lost or refused connection
 * (or a server still loading its AOF) is transient, so the event waits in Kafka and is
 * retried; an error reply from a script is a bug or a bad input and stays as it is.
 */
export function classifyRedisError(error: unknown, operation: string): Error {
  const failure = error instanceof Error ? error : new Error(String(error));
  const isReply = failure.name === 'ReplyError';
  if (!isReply || BUSY_REPLIES.test(failure.message)) {
    return new TransientError(`Redis unavailable during ${operation}: ${failure.message}`, { cause: failure });
  }
  return failure;
}
