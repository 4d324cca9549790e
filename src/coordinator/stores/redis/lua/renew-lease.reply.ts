import type { Reply } from '../redis-reply.js';

/** renew-lease.lua's reply: 1 when the execution was active and its lease renewed. */
export function decodeRenewLeaseReply(reply: Reply): boolean {
  return reply === 1;
}
