import type { QueueChangeFrame } from './queue-change.js';

/**
 * Carries change frames between replicas, so a change any replica saw reaches every replica's
 * streams. Frames published here come back to the publisher's own subscription too: every
 * replica delivers in the order the relay does.
 */
export interface ChangeRelay {
  publish(frame: QueueChangeFrame): Promise<void>;
  /** Starts delivering every replica's frames to `onFrame`. */
  subscribe(onFrame: (frame: QueueChangeFrame) => void): Promise<void>;
  close(): Promise<void>;
}
