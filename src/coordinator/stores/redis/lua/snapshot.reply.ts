import { PRIORITIES } from '../../../../contracts/priority.constants.js';
import type { QueueSnapshot } from '../../../domain/coordinator-state.js';
import { parseMeta } from '../redis-meta.js';
import type { Reply } from '../redis-reply.js';

/** snapshot.lua's reply: pending, active, held, one count per level, the oldest pending meta or null. */
export function decodeSnapshotReply(reply: Reply[]): QueueSnapshot {
  const [pending, active, held, ...rest] = reply;
  const perLevel = rest.slice(0, PRIORITIES.length);
  const oldest = rest[PRIORITIES.length];
  return {
    pendingCount: Number(pending),
    activeCount: Number(active),
    held: held === 1,
    byPriority: Object.fromEntries(PRIORITIES.map((priority, rank) => [priority, Number(perLevel[rank])])) as QueueSnapshot['byPriority'],
    oldestEnqueuedAt: oldest ? parseMeta(oldest as string).enqueuedAt : null,
  };
}
