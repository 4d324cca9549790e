// Waits until the broker in KAFKA_BROKERS serves metadata and can create and describe a topic;
// a KRaft broker accepts connections a moment before it can do either.
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;
const kafka = new Kafka({ clientId: 'infra-wait', brokers: process.env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING, retry: { retries: 0 } });
const deadline = Date.now() + 90_000;
for (;;) {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: '__infra_ready', numPartitions: 1 }], waitForLeaders: true });
    await admin.fetchTopicMetadata({ topics: ['__infra_ready'] });
    await admin.disconnect();
    console.log('[infra] Kafka is ready');
    process.exit(0);
  } catch (error) {
    await admin.disconnect().catch(() => {});
    if (Date.now() > deadline) {
      console.error(`[infra] Kafka not ready after 90s: ${error.message}`);
      process.exit(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
