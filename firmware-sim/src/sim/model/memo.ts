/**
 * A bounded memo for pure functions of an integer key (a day, a 10-day bin). The values are
 * deterministic, so what the cache holds never changes a result, only its speed; when it is
 * full it starts over, which bounds memory however long or scattered the runtime's calls.
 */
export class BoundedMemo<V> {
  readonly #entries = new Map<number, V>();
  readonly #maxEntries: number;
  readonly #make: (key: number) => V;

  constructor(maxEntries: number, make: (key: number) => V) {
    this.#maxEntries = maxEntries;
    this.#make = make;
  }

  get(key: number): V {
    let value = this.#entries.get(key);
    if (value === undefined) {
      if (this.#entries.size >= this.#maxEntries) this.#entries.clear();
      value = this.#make(key);
      this.#entries.set(key, value);
    }
    return value;
  }
}

/** A PM contribution in µg/m³, summed in place by the field's components. */
export interface PmSum {
  pm1: number;
  pm25: number;
  pm10: number;
}
