/** How many messages this process wrote to the dead-letter topic, by reason (the transport counts them). */
export interface DeadLetterCounts {
  written(): Readonly<Record<string, number>>;
}
