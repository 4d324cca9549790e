import { DEAD_LETTER_TOPIC } from '../contracts/event-type.constants.js';
import { CONTENT_TYPE_HEADER, JSON_CONTENT_TYPE, type WireMessage } from '../contracts/wire-codec.js';
import type { DeliveredMessage } from './in-memory-bus.js';

/** What the dead-letter topic records about a message no handler could take. */
export interface DeadLetterRecord {
  original_topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** The raw value as UTF-8 text, exactly as received. */
  value: string | null;
  reason: 'invalid_message' | 'handler_failed';
  errors: string[];
  consumer_group: string;
  failed_at: string;
}

/** A consumed message as the dead-letter record needs it; Kafka allows an empty (null) value. */
export type ConsumedMessage = Omit<DeliveredMessage, 'value'> & { value: Buffer | null };

/** Dead letters written by this process, by reason (read by the metrics). */
const written: Record<DeadLetterRecord['reason'], number> = { invalid_message: 0, handler_failed: 0 };

export function deadLettersWritten(): Readonly<Record<DeadLetterRecord['reason'], number>> {
  return written;
}

export function deadLetterFor(
  message: ConsumedMessage,
  reason: DeadLetterRecord['reason'],
  errors: string[],
  consumerGroup: string,
  topicPrefix: string,
  at: Date,
): WireMessage {
  written[reason] += 1;
  const record: DeadLetterRecord = {
    original_topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    key: message.key,
    value: message.value === null ? null : message.value.toString('utf8'),
    reason,
    errors,
    consumer_group: consumerGroup,
    failed_at: at.toISOString(),
  };
  return {
    topic: `${topicPrefix}${DEAD_LETTER_TOPIC}`,
    key: message.key,
    value: Buffer.from(JSON.stringify(record), 'utf8'),
    headers: { [CONTENT_TYPE_HEADER]: JSON_CONTENT_TYPE },
  };
}
