import { CallBatcher } from './call-batcher.js';

/** A send whose batches the test answers by hand, recording what each carried. */
function manualSend() {
  const batches: { calls: number[]; answer: (answers: string[]) => void; fail: (error: Error) => void }[] = [];
  const send = (calls: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      batches.push({ calls, answer: resolve, fail: reject });
    });
  return { batches, send };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('CallBatcher', () => {
  it('sends a lone call at once, by itself', async () => {
    const { batches, send } = manualSend();
    const batcher = new CallBatcher(send, 8);

    const answer = batcher.call(1);
    expect(batches.map((batch) => batch.calls)).toEqual([[1]]);
    batches[0]!.answer(['one']);
    await expect(answer).resolves.toBe('one');
  });

  it('sends the calls made while a batch is in flight together, in order, each with its own answer', async () => {
    const { batches, send } = manualSend();
    const batcher = new CallBatcher(send, 8);

    const first = batcher.call(1);
    const later = [batcher.call(2), batcher.call(3), batcher.call(4)];
    expect(batches).toHaveLength(1);
    batches[0]!.answer(['a']);
    await settled();

    expect(batches.map((batch) => batch.calls)).toEqual([[1], [2, 3, 4]]);
    batches[1]!.answer(['b', 'c', 'd']);
    await expect(first).resolves.toBe('a');
    await expect(Promise.all(later)).resolves.toEqual(['b', 'c', 'd']);
  });

  it('never puts more than maxBatch calls in one batch', async () => {
    const { batches, send } = manualSend();
    const batcher = new CallBatcher(send, 2);

    const answers = [1, 2, 3, 4, 5, 6].map((n) => batcher.call(n));
    for (let round = 0; round < 4; round++) {
      const batch = batches[round]!;
      batch.answer(batch.calls.map(String));
      await settled();
    }

    expect(batches.map((batch) => batch.calls)).toEqual([[1], [2, 3], [4, 5], [6]]);
    await expect(Promise.all(answers)).resolves.toEqual(['1', '2', '3', '4', '5', '6']);
  });

  it('fails every call of a failed batch with its error, and still sends the calls after it', async () => {
    const { batches, send } = manualSend();
    const batcher = new CallBatcher(send, 8);

    const first = batcher.call(1);
    const second = batcher.call(2);
    const third = batcher.call(3);
    batches[0]!.answer(['a']);
    await settled();
    const after = batcher.call(4);
    const failures = [expect(second).rejects.toThrow('Redis went away'), expect(third).rejects.toThrow('Redis went away')];
    batches[1]!.fail(new Error('Redis went away'));
    await settled();

    await expect(first).resolves.toBe('a');
    await Promise.all(failures);
    expect(batches[2]!.calls).toEqual([4]);
    batches[2]!.answer(['d']);
    await expect(after).resolves.toBe('d');
  });

  it('fails the calls of a batch answered with the wrong number of replies, naming both counts', async () => {
    const { batches, send } = manualSend();
    const batcher = new CallBatcher(send, 8);

    batcher.call(1);
    const pair = [batcher.call(2), batcher.call(3)];
    batches[0]!.answer(['a']);
    await settled();
    const failures = pair.map((answer) => expect(answer).rejects.toThrow('A batch of 2 calls was answered with 1 replies'));
    batches[1]!.answer(['only one']);
    await Promise.all(failures);
  });

  it('keeps up to maxInFlight batches in flight', async () => {
    const { batches, send } = manualSend();
    const batcher = new CallBatcher(send, 8, 2);

    const answers = [1, 2, 3].map((n) => batcher.call(n));
    expect(batches.map((batch) => batch.calls)).toEqual([[1], [2]]);
    batches[1]!.answer(['b']);
    await settled();
    expect(batches.map((batch) => batch.calls)).toEqual([[1], [2], [3]]);
    batches[0]!.answer(['a']);
    batches[2]!.answer(['c']);
    await expect(Promise.all(answers)).resolves.toEqual(['a', 'b', 'c']);
  });
});
