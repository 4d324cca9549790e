import { randomUUID } from 'node:crypto';
import { shardOf, shardSelector } from './pod-shards.js';

describe('pod shards', () => {
  it('puts an execution in the same shard every time, and spreads ids evenly', () => {
    expect(shardOf('abc-1', 8)).toBe(shardOf('abc-1', 8));
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8000; i++) counts[shardOf(randomUUID(), 8)]!++;
    for (const count of counts) expect(count).toBeGreaterThan(800);
    expect(shardOf('anything', 1)).toBe(0);
  });

  it('selects the executor pods of the given shards', () => {
    expect(shardSelector('app=x', [3, 0, 1])).toBe('app=x,execution-queue/shard in (0,1,3)');
  });
});
