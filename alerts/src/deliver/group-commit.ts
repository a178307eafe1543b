/**
 * Group commit: calls made while a write is under way wait for the next one, which takes
 * them all in one transaction. A registry commit costs an fsync (milliseconds); 1,000
 * events or deliveries a second as single commits would queue behind each other, as one
 * commit per batch they do not. Each caller's promise resolves once its own item is
 * committed, so "durable when it resolves" still holds.
 */
export class GroupCommit<T, R> {
  private queue: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private running = false;
  private readonly write: (items: T[]) => Promise<R[]>;
  private readonly maxBatch: number;

  constructor(write: (items: T[]) => Promise<R[]>, maxBatch = 500) {
    this.write = write;
    this.maxBatch = maxBatch;
  }

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const results = await this.write(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(results[i]!));
      } catch (e) {
        for (const b of batch) b.reject(e);
      }
    }
    this.running = false;
  }
}
