/**
 * Packs calls of one kind into batches: a call made while an earlier batch is in flight waits
 * for it and then travels with every other call that waited, as one request.
 *
 * Why: Redis spends about as much on starting a function call (reading its arguments, setting
 * up the script) as on the work of one admission, and the coordinator has many admissions and
 * releases in hand at once (a Kafka batch is handled several messages at a time). One request
 * for all that waited pays that cost once. A lone call is sent at once, so nothing waits when
 * the service is quiet; under load, batches grow to however many calls arrived during one
 * round trip, up to `maxBatch`.
 *
 * Each call's answer is its own entry of the batch's reply. A batch that fails (Redis away, a
 * replica that did not confirm) fails every call in it with the same error, as each would have
 * failed alone: the store's calls are all safe to retry.
 */
export class CallBatcher<Call, Answer> {
  private readonly waiting: { call: Call; resolve: (answer: Answer) => void; reject: (error: unknown) => void }[] = [];
  private inFlight = 0;

  /**
   * @param send sends a batch and answers one reply per call, in order
   * @param maxBatch the most calls one batch carries
   * @param maxInFlight how many batches may be in flight at once
   */
  constructor(
    private readonly send: (calls: Call[]) => Promise<Answer[]>,
    private readonly maxBatch: number,
    private readonly maxInFlight = 1,
  ) {}

  call(call: Call): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      this.waiting.push({ call, resolve, reject });
      this.sendWaiting();
    });
  }

  private sendWaiting(): void {
    while (this.inFlight < this.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      this.inFlight++;
      void this.sendBatch(batch);
    }
  }

  private async sendBatch(batch: typeof this.waiting): Promise<void> {
    try {
      const answers = await this.send(batch.map((entry) => entry.call));
      if (answers.length !== batch.length) throw new Error(`A batch of ${batch.length} calls was answered with ${answers.length} replies`);
      batch.forEach((entry, index) => entry.resolve(answers[index]!));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    } finally {
      this.inFlight--;
      this.sendWaiting();
    }
  }
}
