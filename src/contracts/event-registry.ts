import { EventType } from './event-type.constants.js';
import {
  ExecutionAcceptedEvent,
  ExecutionCancelledEvent,
  ExecutionCompletedEvent,
  ExecutionFailedEvent,
  ExecutionRequestedEvent,
  ExecutionTimeoutEvent,
} from './execution.events.js';
import {
  CreatePodCommand,
  DeletePodCommand,
  PodCreatedEvent,
  PodRunningEvent,
  PodScheduledEvent,
} from './pod.events.js';

/** Maps each event type to the class that describes and validates it. */
export interface EventTypeMap {
  [EventType.ExecutionRequested]: ExecutionRequestedEvent;
  [EventType.ExecutionAccepted]: ExecutionAcceptedEvent;
  [EventType.ExecutionCompleted]: ExecutionCompletedEvent;
  [EventType.ExecutionFailed]: ExecutionFailedEvent;
  [EventType.ExecutionTimeout]: ExecutionTimeoutEvent;
  [EventType.ExecutionCancelled]: ExecutionCancelledEvent;
  [EventType.CreatePodCommand]: CreatePodCommand;
  [EventType.DeletePodCommand]: DeletePodCommand;
  [EventType.PodCreated]: PodCreatedEvent;
  [EventType.PodScheduled]: PodScheduledEvent;
  [EventType.PodRunning]: PodRunningEvent;
}

export type AnyEvent = EventTypeMap[keyof EventTypeMap];

export const EVENT_CLASSES: { [K in keyof EventTypeMap]: new () => EventTypeMap[K] } = {
  [EventType.ExecutionRequested]: ExecutionRequestedEvent,
  [EventType.ExecutionAccepted]: ExecutionAcceptedEvent,
  [EventType.ExecutionCompleted]: ExecutionCompletedEvent,
  [EventType.ExecutionFailed]: ExecutionFailedEvent,
  [EventType.ExecutionTimeout]: ExecutionTimeoutEvent,
  [EventType.ExecutionCancelled]: ExecutionCancelledEvent,
  [EventType.CreatePodCommand]: CreatePodCommand,
  [EventType.DeletePodCommand]: DeletePodCommand,
  [EventType.PodCreated]: PodCreatedEvent,
  [EventType.PodScheduled]: PodScheduledEvent,
  [EventType.PodRunning]: PodRunningEvent,
};

