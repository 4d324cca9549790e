import type { ReleaseOutcome } from '../../../domain/coordinator-outcomes.js';
import type { Scheduled } from '../../../queue-state-store.port.js';
import { activeSummaryOf, parseMeta, summaryOf } from '../redis-meta.js';
import type { Reply } from '../redis-reply.js';
import { decodeScheduleReply } from './schedule.reply.js';

/** One release's reply (library/release-one.lua): kind and meta, then, with `scheduled`, the scheduling run it made. */
export function decodeReleaseReply(reply: Reply[], scheduled: boolean): Scheduled<ReleaseOutcome> {
  const [kind, meta, ...run] = reply as [string, string | null, ...Reply[]];
  const outcome: ReleaseOutcome =
    kind === 'was_active'
      ? { kind, execution: activeSummaryOf(parseMeta(meta!)) }
      : kind === 'was_pending'
        ? { kind, execution: summaryOf(parseMeta(meta!)) }
        : { kind: 'unknown' };
  return scheduled ? { ...outcome, scheduled: decodeScheduleReply(run) } : outcome;
}
