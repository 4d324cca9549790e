import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { compileValidityCheck, type ValidInstanceOf } from './compiled-validity-check.js';
import { EVENT_CLASSES, type AnyEvent } from './event-registry.js';
import { EventType, isEventType } from './event-type.constants.js';
import { DEFAULT_PRIORITY } from './priority.constants.js';
import { MAX_MESSAGE_BYTES } from './wire-limits.constants.js';

/** A message as it sits on a topic: what Kafka (or the in-memory bus) carries. */
export interface WireMessage {
  topic: string;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
}

export type DecodeResult = { ok: true; event: AnyEvent } | { ok: false; errors: string[] };

export const CONTENT_TYPE_HEADER = 'content-type';
export const JSON_CONTENT_TYPE = 'application/json';

const EVENT_TYPES_WITH_PRIORITY: ReadonlySet<string> = new Set([EventType.ExecutionRequested, EventType.CreatePodCommand]);

/**
 * Turns raw topic messages into validated events and back. The prefix is the deployment's
 * topic prefix: a message on `<prefix>execution_requested` must carry `event_type`
 * `execution_requested`.
 */
/** Compiled on first use per event type; null where the type's rules cannot be compiled. */
const fastChecks = new Map<EventType, ValidInstanceOf<AnyEvent> | null>();

function fastCheckOf(eventType: EventType): ValidInstanceOf<AnyEvent> | null {
  let check = fastChecks.get(eventType);
  if (check === undefined) fastChecks.set(eventType, (check = compileValidityCheck(EVENT_CLASSES[eventType] as new () => AnyEvent)));
  return check;
}

export class WireCodec {
  constructor(private readonly topicPrefix = '') {}

  topicOf(eventType: string): string {
    return `${this.topicPrefix}${eventType}`;
  }

  encode(event: AnyEvent): WireMessage {
    return {
      topic: this.topicOf(event.event_type),
      key: event.execution_id,
      value: Buffer.from(JSON.stringify(event), 'utf8'),
      headers: { [CONTENT_TYPE_HEADER]: JSON_CONTENT_TYPE },
    };
  }

  decode(topic: string, key: string | null, value: Buffer | string | null): DecodeResult {
    const expectedType = this.eventTypeOfTopic(topic);
    if (expectedType === undefined) return invalid(`topic '${topic}' carries no known event type`);
    if (value === null) return invalid('message has no value');
    const size = typeof value === 'string' ? Buffer.byteLength(value) : value.length;
    if (size > MAX_MESSAGE_BYTES) return invalid(`message is ${size} bytes, above the limit of ${MAX_MESSAGE_BYTES}`);

    let parsed: unknown;
    try {
      parsed = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
    } catch (error) {
      return invalid(`value is not valid JSON: ${(error as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return invalid('value must be a JSON object');
    }
    return this.decodeObject(expectedType, key, parsed as Record<string, unknown>);
  }

  private decodeObject(expectedType: EventType, key: string | null, raw: Record<string, unknown>): DecodeResult {
    if (raw.event_type !== expectedType) {
      return invalid(`event_type must be '${expectedType}' on this topic (got ${JSON.stringify(raw.event_type)})`);
    }
    const plain = EVENT_TYPES_WITH_PRIORITY.has(expectedType) && raw.priority === undefined
      ? { ...raw, priority: DEFAULT_PRIORITY }
      : raw;
    // The common case, a valid message, takes the compiled check; anything it rejects or is not
    // sure of goes through the full validation, which also says what is wrong.
    const valid = fastCheckOf(expectedType)?.(plain);
    if (valid && extraRules(valid, key).length === 0) return { ok: true, event: valid };
    const event = plainToInstance(EVENT_CLASSES[expectedType] as new () => AnyEvent, plain);
    const errors = flattenErrors(validateSync(event, { forbidUnknownValues: false }));
    errors.push(...extraRules(event, key));
    return errors.length === 0 ? { ok: true, event } : { ok: false, errors };
  }

  private eventTypeOfTopic(topic: string): EventType | undefined {
    if (!topic.startsWith(this.topicPrefix)) return undefined;
    const name = topic.slice(this.topicPrefix.length);
    return isEventType(name) ? name : undefined;
  }
}

/** Rules that span fields or the message key, which decorators cannot express. */
function extraRules(event: AnyEvent, key: string | null): string[] {
  const errors: string[] = [];
  if (event.event_type === EventType.ExecutionRequested && typeof event.metadata?.user_id !== 'string') {
    errors.push('metadata.user_id: an execution request must name its user');
  }
  if (key !== null && typeof event.execution_id === 'string' && key !== event.execution_id) {
    errors.push(`key: message key '${truncate(key)}' differs from execution_id`);
  }
  return errors;
}

function flattenErrors(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => `${path}: ${message}`);
    return [...own, ...flattenErrors(error.children ?? [], path)];
  });
}

function invalid(error: string): DecodeResult {
  return { ok: false, errors: [error] };
}

function truncate(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

