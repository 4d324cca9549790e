import { EventType } from '../contracts/event-type.constants.js';

/**
 * Which consumer group consumes which topics. Each role is its own group, so replicas of a
 * role share the work while the roles each see every event they need.
 */
export const CONSUMER_GROUP_TOPICS: Readonly<Record<string, readonly string[]>> = {
  'execution-coordinator': [
    EventType.ExecutionRequested,
    EventType.ExecutionCancelled,
    EventType.ExecutionCompleted,
    EventType.ExecutionFailed,
    EventType.ExecutionTimeout,
    // Signs of life renew an active execution's lease.
    EventType.PodCreated,
    EventType.PodScheduled,
    EventType.PodRunning,
  ],
  'k8s-worker': [EventType.CreatePodCommand, EventType.DeletePodCommand],
};

/** The consumer group whose handlers serve `eventType`. */
export function consumerGroupOf(eventType: string): string {
  for (const [group, topics] of Object.entries(CONSUMER_GROUP_TOPICS)) if (topics.includes(eventType)) return group;
  throw new Error(`No consumer group handles '${eventType}'`);
}
