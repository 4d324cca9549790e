import type { Priority } from '../contracts/priority.constants.js';

/** A change an operator made that is not an execution's own lifecycle. */
export type OperatorChange =
  | { type: 'held'; at: Date }
  | { type: 'resumed'; at: Date }
  | { type: 'reprioritized'; execution_id: string; priority: Priority; position: number; at: Date }
  | { type: 'weight_changed'; user_id: string; weight: number; at: Date };

/** Told of every operator change (the live streams' feed); must not throw or block. */
export interface OperatorChangeListener {
  record(change: OperatorChange): void;
}
