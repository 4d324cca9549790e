/** Runs `concurrency` async loops over a shared cursor until `items` is used up. */
export async function pool<T>(items: T[], concurrency: number, each: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await each(items[next++]!);
  }));
}

/** The p-th percentile (0–100) of `values`, by rank. */
export const percentile = (values: number[], p: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))]!;
