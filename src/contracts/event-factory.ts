import { randomUUID } from 'node:crypto';
import type { BaseEvent } from './base.event.js';
import type { Environment } from './error-type.constants.js';
import { EVENT_CLASSES, type EventTypeMap } from './event-registry.js';
import { EVENT_VERSION } from './event-type.constants.js';

/** Identity of the service that stamps events. */
export interface EventSource {
  serviceName: string;
  serviceVersion: string;
  environment: Environment;
}

/** On whose behalf an event is published. */
export interface EventOrigin {
  userId: string | null;
  environment?: Environment;
}

export type EventBody<K extends keyof EventTypeMap> = Omit<EventTypeMap[K], keyof BaseEvent>;

/**
 * Formats a UTC timestamp the way the platform's Python services do (six fractional digits,
 * `Z`). JavaScript clocks have millisecond resolution, so the last three digits are zero.
 */
export function formatTimestamp(at: Date): string {
  // toISOString always ends in `.sssZ`: the three zeros go before the Z (a regular expression
  // here showed in the profile of a busy coordinator).
  const iso = at.toISOString();
  return `${iso.slice(0, -1)}000Z`;
}

/** Builds a complete event of the given type with the common fields filled in; its id is fresh unless given. */
export function createEvent<K extends keyof EventTypeMap>(
  type: K,
  body: EventBody<K>,
  origin: EventOrigin,
  source: EventSource,
  at: Date,
  eventId: string = randomUUID(),
): EventTypeMap[K] {
  const event = new EVENT_CLASSES[type]();
  return Object.assign(event, {
    event_id: eventId,
    event_type: type,
    event_version: EVENT_VERSION,
    timestamp: formatTimestamp(at),
    aggregate_id: body.execution_id,
    metadata: {
      service_name: source.serviceName,
      service_version: source.serviceVersion,
      user_id: origin.userId,
      environment: origin.environment ?? source.environment,
    },
    ...body,
  });
}
