import type { Page, UserUsageRow } from '../../../domain/coordinator-state.js';
import type { Reply } from '../redis-reply.js';

/** users-page.lua's reply: the total, then user, pending, active per user. */
export function decodeUsersPageReply([total, ...rows]: Reply[]): Page<UserUsageRow> {
  const items: UserUsageRow[] = [];
  for (let i = 0; i < rows.length; i += 3) items.push({ userId: String(rows[i]), pending: Number(rows[i + 1]), active: Number(rows[i + 2]) });
  return { items, total: Number(total) };
}
