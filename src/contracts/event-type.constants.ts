/** Every event type of the wire contract; each value is also the (unprefixed) Kafka topic name. */
export const EventType = {
  ExecutionRequested: 'execution_requested',
  ExecutionAccepted: 'execution_accepted',
  ExecutionCompleted: 'execution_completed',
  ExecutionFailed: 'execution_failed',
  ExecutionTimeout: 'execution_timeout',
  ExecutionCancelled: 'execution_cancelled',
  CreatePodCommand: 'create_pod_command',
  DeletePodCommand: 'delete_pod_command',
  PodCreated: 'pod_created',
  PodScheduled: 'pod_scheduled',
  PodRunning: 'pod_running',
} as const;

export type EventType = (typeof EventType)[keyof typeof EventType];

export const ALL_EVENT_TYPES: readonly EventType[] = Object.values(EventType);

/** Topic that receives every message a consumer could not handle. */
export const DEAD_LETTER_TOPIC = 'execution_queue_dead_letter';

/** The version every event we publish carries. */
export const EVENT_VERSION = '1.0';

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (ALL_EVENT_TYPES as readonly string[]).includes(value);
}
