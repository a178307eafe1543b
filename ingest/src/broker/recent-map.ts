/**
 * Per-device state with a bound: a Map in least-recently-used order (a used entry moves to
 * the end), whose entries idle `idleMs` or longer are dropped, and whose least recently
 * used one is dropped beyond `maxEntries`. Every call does O(1) amortized work, so a flood
 * of new keys costs memory up to the bound and no more.
 */
export class RecentMap<V> {
  private readonly entries = new Map<string, { value: V; lastMs: number }>();
  private readonly maxEntries: number;
  private readonly idleMs: number;

  constructor(maxEntries: number, idleMs: number) {
    this.maxEntries = maxEntries;
    this.idleMs = idleMs;
  }

  /** Entries kept now (for /metrics). */
  get size(): number {
    return this.entries.size;
  }

  /** Is a not-yet-idle entry kept for this key? */
  has(key: string, nowMs: number): boolean {
    this.dropIdle(nowMs);
    return this.entries.has(key);
  }

  /** The value kept for `key` (made by `create` when there is none), used at `nowMs`. */
  use(key: string, nowMs: number, create: () => V): V {
    this.dropIdle(nowMs);
    const kept = this.entries.get(key);
    if (kept !== undefined) this.entries.delete(key);
    const entry = { value: kept?.value ?? create(), lastMs: nowMs };
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) this.dropOldest();
    return entry.value;
  }

  /** Idle entries are at the front (least recently used first): stop at the first busy one. */
  private dropIdle(nowMs: number): void {
    for (const [key, entry] of this.entries) {
      if (nowMs - entry.lastMs < this.idleMs) return;
      this.entries.delete(key);
    }
  }

  private dropOldest(): void {
    const oldest = this.entries.keys().next();
    if (!oldest.done) this.entries.delete(oldest.value);
  }
}
