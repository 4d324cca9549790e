import type { Reply } from '../redis-reply.js';

/** user-weights.lua's reply: one weight per user asked for, null where none was set (`defaultWeight` then). */
export function decodeUserWeightsReply(reply: Reply[], defaultWeight: number): number[] {
  return reply.map((weight) => (weight === null ? defaultWeight : Number(weight)));
}
