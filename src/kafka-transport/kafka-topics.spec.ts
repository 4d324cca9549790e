import type { Admin } from 'kafkajs';
import { allTopics, ensureTopics } from './kafka-topics.js';

const SETTINGS = { prefix: 't.', partitions: 3, replicationFactor: 1 };

/** A broker's admin as ensureTopics sees it: topics appear on creation; metadata may lag. */
function brokerAdmin(metadataFailures: { type: string }[]) {
  const topics = new Set<string>();
  const admin = {
    listTopics: async () => [...topics],
    createTopics: async ({ topics: created }: { topics: { topic: string }[] }) => {
      for (const { topic } of created) topics.add(topic);
      return true;
    },
    fetchTopicMetadata: async ({ topics: wanted }: { topics: string[] }) => {
      const failure = metadataFailures.shift();
      if (failure) throw Object.assign(new Error('This server does not host this topic-partition'), failure);
      return { topics: wanted.map((name) => ({ name, partitions: [{ partitionId: 0, leader: 1 }] })) };
    },
  };
  return { admin: admin as unknown as Admin, topics };
}

describe('ensureTopics', () => {
  it('tries again while the broker\u2019s metadata catches up with topics it just created', async () => {
    const { admin, topics } = brokerAdmin([{ type: 'UNKNOWN_TOPIC_OR_PARTITION' }, { type: 'UNKNOWN_TOPIC_OR_PARTITION' }]);
    await ensureTopics(admin, SETTINGS);
    expect([...topics].sort()).toEqual(allTopics('t.').sort());
  });

  it('gives up at once on an answer that will not change', async () => {
    const { admin } = brokerAdmin([{ type: 'TOPIC_AUTHORIZATION_FAILED' }]);
    await expect(ensureTopics(admin, SETTINGS)).rejects.toMatchObject({ type: 'TOPIC_AUTHORIZATION_FAILED' });
  });
});
