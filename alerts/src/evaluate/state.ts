import type { AlertStore, JsonObject } from '@airbox/registry';

/**
 * The evaluator's state of every (subscription, key), in memory for the reading path and
 * written behind: changes gather here and go to the registry in one transaction per flush.
 * Bounded by the number of watched (subscription, box) pairs; a failed flush keeps its
 * changes for the next one.
 */
export class StateTable {
  private readonly states = new Map<string, Map<string, JsonObject>>();
  private dirty = new Map<
    string,
    { subscriptionId: string; key: string; state: JsonObject | null }
  >();
  private flushing: Promise<void> | null = null;
  private readonly store: Pick<AlertStore, 'putStates' | 'listStates'>;

  constructor(store: Pick<AlertStore, 'putStates' | 'listStates'>) {
    this.store = store;
  }

  async load(): Promise<void> {
    for (const s of await this.store.listStates())
      this.setInMemory(s.subscriptionId, s.key, s.state);
  }

  get(subscriptionId: string, key: string): JsonObject | undefined {
    return this.states.get(subscriptionId)?.get(key);
  }

  set(subscriptionId: string, key: string, state: JsonObject | null): void {
    if (state === null) this.states.get(subscriptionId)?.delete(key);
    else this.setInMemory(subscriptionId, key, state);
    this.dirty.set(`${subscriptionId}\n${key}`, { subscriptionId, key, state });
  }

  /** Every (subscription, key, state) in memory. */
  *entries(): IterableIterator<[string, string, JsonObject]> {
    for (const [id, byKey] of this.states) for (const [key, state] of byKey) yield [id, key, state];
  }

  get pending(): number {
    return this.dirty.size;
  }

  /** Writes what changed since the last flush; one flush at a time. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.dirty.size === 0) return;
    const batch = this.dirty;
    this.dirty = new Map();
    this.flushing = this.store.putStates([...batch.values()]).then(
      () => undefined,
      (e: unknown) => {
        // Newer changes made meanwhile win over the failed ones.
        for (const [k, v] of batch) if (!this.dirty.has(k)) this.dirty.set(k, v);
        throw e;
      },
    );
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
  }

  private setInMemory(subscriptionId: string, key: string, state: JsonObject): void {
    let byKey = this.states.get(subscriptionId);
    if (!byKey) this.states.set(subscriptionId, (byKey = new Map<string, JsonObject>()));
    byKey.set(key, state);
  }
}
