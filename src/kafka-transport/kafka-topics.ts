import type { Admin } from 'kafkajs';
import { ALL_EVENT_TYPES, DEAD_LETTER_TOPIC } from '../contracts/event-type.constants.js';

export interface TopicSettings {
  prefix: string;
  partitions: number;
  replicationFactor: number;
}

/** Every topic the service reads or writes, under the deployment's prefix. */
export function allTopics(prefix: string): string[] {
  return [...ALL_EVENT_TYPES, DEAD_LETTER_TOPIC].map((name) => `${prefix}${name}`);
}

/** Attempts at creating the topics and seeing a leader for each, before giving up. */
const TOPIC_ATTEMPTS = 8;

/**
 * Creates the missing topics and waits until each has a leader. Clients that race a topic's
 * automatic creation on a KRaft broker get "does not host this topic-partition" errors, so
 * topics are made up front. The broker can give that same answer for a moment right after it
 * created them (its metadata catches up), which kafkajs does not retry: so the whole step is
 * tried again, a little later each time.
 */
export async function ensureTopics(admin: Admin, settings: TopicSettings): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await createAndCheck(admin, settings);
    } catch (error) {
      if (attempt >= TOPIC_ATTEMPTS || !isCatchingUp(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}

async function createAndCheck(admin: Admin, settings: TopicSettings): Promise<void> {
  const wanted = allTopics(settings.prefix);
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((topic) => !existing.has(topic));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({ topic, numPartitions: settings.partitions, replicationFactor: settings.replicationFactor })),
    });
  }
  const metadata = await admin.fetchTopicMetadata({ topics: wanted });
  const leaderless = metadata.topics.filter((topic) => topic.partitions.some((partition) => partition.leader < 0));
  if (leaderless.length > 0) throw new LeaderlessTopicsError(leaderless.map((topic) => topic.name));
}

class LeaderlessTopicsError extends Error {
  constructor(topics: string[]) {
    super(`Topics without a leader: ${topics.join(', ')}`);
  }
}

/** The broker's answers that mean "not yet", not "never". */
function isCatchingUp(error: unknown): boolean {
  if (error instanceof LeaderlessTopicsError) return true;
  const type = (error as { type?: unknown }).type;
  return type === 'UNKNOWN_TOPIC_OR_PARTITION' || type === 'LEADER_NOT_AVAILABLE' || type === 'NOT_CONTROLLER';
}
