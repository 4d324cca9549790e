import type { Page, PositionedExecution } from '../../../domain/coordinator-state.js';
import { liftedLevel, parseMeta, summaryOf } from '../redis-meta.js';
import type { Reply } from '../redis-reply.js';

/** pending-page.lua's reply: the total, then meta, position, level per execution. */
export function decodePendingPageReply([total, ...rows]: Reply[]): Page<PositionedExecution> {
  const items: PositionedExecution[] = [];
  for (let i = 0; i < rows.length; i += 3) {
    const summary = summaryOf(parseMeta(rows[i] as string));
    items.push({ ...summary, position: Number(rows[i + 1]), effectivePriority: liftedLevel(summary.priority, Number(rows[i + 2])) });
  }
  return { items, total: Number(total) };
}
