import type { ActiveSummary } from '../../../domain/coordinator-outcomes.js';
import type { Page } from '../../../domain/coordinator-state.js';
import { activeSummaryOf, parseMeta } from '../redis-meta.js';
import type { Reply } from '../redis-reply.js';

/** active-page.lua's reply: the total, then one meta per execution. */
export function decodeActivePageReply([total, ...metas]: Reply[]): Page<ActiveSummary> {
  return { items: metas.map((meta) => activeSummaryOf(parseMeta(meta as string))), total: Number(total) };
}
