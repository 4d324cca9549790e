import { currentOutbox, PublishOutbox, withOutbox } from './publish-outbox.js';

describe('PublishOutbox', () => {
  it('is current inside its work and stops collecting once closed, even for work that outlives it', async () => {
    const outbox = new PublishOutbox();
    let later: Promise<PublishOutbox | undefined> | undefined;
    await withOutbox(outbox, async () => {
      expect(currentOutbox()).toBe(outbox);
      later = new Promise((resolve) => setTimeout(() => resolve(currentOutbox()), 5));
    });
    outbox.close();
    expect(await later).toBeUndefined();
    expect(currentOutbox()).toBeUndefined();
  });
});
