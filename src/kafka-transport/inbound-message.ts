import type { LoggerService } from '@nestjs/common';
import type { BaseRpcContext, MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import type { WireCodec } from '../contracts/wire-codec.js';
import type { ConsumedMessage, DeadLetterRecord } from './dead-letter.js';
import { isTransient } from '../ports/transient-error.js';

/** What a transport strategy supplies to have one consumed message handled. */
export interface InboundRoute {
  codec: WireCodec;
  logger: LoggerService;
  handlerFor(eventType: string): MessageHandler | null;
  contextFor(message: ConsumedMessage): BaseRpcContext;
  deadLetter(message: ConsumedMessage, reason: DeadLetterRecord['reason'], errors: string[]): Promise<void> | void;
}

/**
 * `lookup` remembered per event type. Nest's own lookup first tries the pattern as JSON, which
 * throws for a plain event type: a cost on every message that showed in profiles. Handlers are
 * all registered before a transport listens, so what it answers never changes afterwards.
 */
export function rememberedHandlers(lookup: (eventType: string) => MessageHandler | null): (eventType: string) => MessageHandler | null {
  const known = new Map<string, MessageHandler | null>();
  return (eventType) => {
    let handler = known.get(eventType);
    if (handler === undefined) known.set(eventType, (handler = lookup(eventType)));
    return handler;
  };
}

/**
 * The one path every consumed message takes, whatever the transport: decode and validate, hand
 * the typed event to its `@EventPattern` handler, dead-letter it when it is invalid or its
 * handler fails for a reason of its own. A transient failure is rethrown so the transport can
 * retry the message instead of dropping it.
 */
export async function handleInbound(route: InboundRoute, message: ConsumedMessage): Promise<void> {
  const where = `${message.topic}[${message.partition}]@${message.offset}`;
  const decoded = route.codec.decode(message.topic, message.key, message.value);
  if (!decoded.ok) {
    route.logger.warn(`Dead-lettering invalid message ${where}: ${decoded.errors.join('; ')}`);
    return route.deadLetter(message, 'invalid_message', decoded.errors);
  }
  const handler = route.handlerFor(decoded.event.event_type);
  if (!handler) return;
  try {
    const result = await handler(decoded.event, route.contextFor(message));
    if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
  } catch (error) {
    if (isTransient(error)) {
      route.logger.warn(`Transient failure on ${where}; the transport retries it: ${(error as Error).message}`);
      throw error;
    }
    const reason = error instanceof Error ? error.message : JSON.stringify(error);
    route.logger.error(`Handler for ${where} failed; dead-lettering: ${reason}`);
    await route.deadLetter(message, 'handler_failed', [reason]);
  }
}
