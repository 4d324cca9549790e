import { Redis } from 'ioredis';

/**
 * Runs once after the integration tests: deletes the keys they left in the Redis that
 * `npm run infra:up` started. Every test works under a fresh prefix of its own (`test-…:` or
 * `{test-…}:`, see test/builders/redis-harness.ts) and leaves its state there. On a developer's
 * machine the server keeps it between runs (it has an append-only log), and a day of runs left
 * over a hundred thousand keys that slowed its log rewrites and skewed the benchmarks run
 * against it. KEEP_TEST_KEYS=1 keeps them, to look at what a failing test left. CI starts a
 * fresh server each time, so there this only tidies up.
 */
export default async function forgetTestKeys(): Promise<void> {
  const url = process.env.REDIS_URL;
  if (!url || process.env.KEEP_TEST_KEYS === '1') return;
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    for (const pattern of ['test-*', '{test-*']) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        if (keys.length > 0) await redis.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } catch (error) {
    // Tidying up must never fail a run whose tests passed (the server may already be gone).
    console.warn(`Left the integration tests' keys in ${url}: ${(error as Error).message}`);
  } finally {
    redis.disconnect();
  }
}
