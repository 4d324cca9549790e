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

/**
 * Creates the missing topics and waits until each has a leader. Clients that race a topic's
 * automatic creation on a KRaft broker get "does not host this topic-partition" errors, so
 * topics are made up front.
 */
export async function ensureTopics(admin: Admin, settings: TopicSettings): Promise<void> {
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
  if (leaderless.length > 0) throw new Error(`Topics without a leader: ${leaderless.map((topic) => topic.name).join(', ')}`);
}
