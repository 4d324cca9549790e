/** Facts that explain why a pending execution has not been dispatched. */
export interface WaitingFacts {
  held: boolean;
  position: number;
  activeCount: number;
  maxActive: number;
}

/** Says in words why a pending execution is still waiting. */
export function waitingReason({ held, position, activeCount, maxActive }: WaitingFacts): string {
  const ahead = position === 0 ? 'it is next in line' : `${position} execution${position === 1 ? ' is' : 's are'} ahead of it`;
  if (held) return `The queue is held by an operator, so nothing is dispatched until it is resumed; ${ahead}`;
  if (activeCount >= maxActive) return `All ${maxActive} execution slots are busy (QUEUE_MAX_ACTIVE, ${activeCount} active); ${ahead}`;
  return position === 0 ? 'Next in line; it is dispatched as soon as the coordinator schedules' : `A slot is free, but ${ahead}`;
}
