import type { LiveSource, StoredReading } from '@airbox/contracts';
import {
  rowLabels,
  type DeviceRows,
  type HourlyRow,
  type LatestQuery,
  type ReadingRow,
  type ReadingStore,
  type RecalibrateOptions,
  type RecalibrateQuery,
  type Recalibrator,
  type SeriesQuery,
} from '@airbox/store';
import { isIndoor, onIndoorGrid, publicReading } from './placement.ts';

/**
 * What the public routes see of the store and the live stream (issue 15's
 * "private boxes never leak"): a private box is not there at all, and an indoor box's
 * position is on the indoor grid (placement.ts) unless its owner chose the exact one.
 * Applied once, where the API takes its options (options.ts), rather than route by route,
 * so filters by position (bbox) see the grid too — a bbox tested against the exact position
 * would let anyone narrow it down at will — and a route added later cannot forget it. The
 * raw tail is not public at all (routes/raw.ts): it is the box's owner's, as sent.
 */
export interface PublicPolicy {
  /** Boxes whose position is told on the grid. */
  rounded: ReadonlySet<string>;
  /** Private boxes: on no public route. */
  hidden: ReadonlySet<string>;
}

type Policy = () => PublicPolicy;

/** A row of a rounded box with its position on the grid; the row itself otherwise. */
function publicRow(deviceId: string, row: ReadingRow, rounded: ReadonlySet<string>) {
  const [, , lat, lon] = row;
  if (!isIndoor({ deviceId, kind: rowLabels(row).kind }, rounded)) return row;
  if (lat === null && lon === null) return row;
  const copy = [...row];
  copy[2] = onIndoorGrid(lat);
  copy[3] = onIndoorGrid(lon);
  // The same tuple with two numbers replaced by numbers: still a ReadingRow.
  return copy as unknown as ReadingRow;
}

/** The readings the public may see, positions as it may see them. */
function shownReadings(readings: StoredReading[], { rounded, hidden }: PublicPolicy) {
  const kept = hidden.size === 0 ? readings : readings.filter((r) => !hidden.has(r.deviceId));
  return kept.map((r) => publicReading(r, rounded));
}

/**
 * The store with latest(), series(), seriesRows() and hourly() as the public sees them;
 * every other method is the store's own (dead letters are for operators and owners, and the
 * public /status page filters its own). A method added to the port must be added here, so
 * whoever adds one decides what it tells.
 */
export class PublicStore implements ReadingStore {
  readonly #store: ReadingStore;
  readonly #policy: Policy;

  constructor(store: ReadingStore, policy: Policy) {
    this.#store = store;
    this.#policy = policy;
  }

  get kind(): ReadingStore['kind'] {
    return this.#store.kind;
  }

  async latest(query?: LatestQuery): Promise<StoredReading[]> {
    return shownReadings(await this.#store.latest(query), this.#policy());
  }

  async series(query: SeriesQuery): Promise<StoredReading[]> {
    return shownReadings(await this.#store.series(query), this.#policy());
  }

  async seriesRows(query: SeriesQuery): Promise<DeviceRows[]> {
    const { rounded, hidden } = this.#policy();
    return (await this.#store.seriesRows(query))
      .filter(({ deviceId }) => !hidden.has(deviceId))
      .map(({ deviceId, rows }) => ({
        deviceId,
        rows: rounded.has(deviceId) ? rows.map((row) => publicRow(deviceId, row, rounded)) : rows,
      }));
  }

  async hourly(query: SeriesQuery): Promise<HourlyRow[]> {
    const { hidden } = this.#policy();
    const rows = await this.#store.hourly(query);
    return hidden.size === 0 ? rows : rows.filter((r) => !hidden.has(r.deviceId));
  }

  write: ReadingStore['write'] = (readings) => this.#store.write(readings);
  addDeadLetter: ReadingStore['addDeadLetter'] = (letter) => this.#store.addDeadLetter(letter);
  deadLetters: ReadingStore['deadLetters'] = (query) => this.#store.deadLetters(query);
  countReadings: ReadingStore['countReadings'] = () => this.#store.countReadings();
  stats: ReadingStore['stats'] = () => this.#store.stats();
  close: ReadingStore['close'] = () => this.#store.close();

  recalibrate(query: RecalibrateQuery, calibrate: Recalibrator, options?: RecalibrateOptions) {
    return this.#store.recalibrate(query, calibrate, options);
  }
}

/** The live stream with each reading as the public sees it, private boxes left out. */
export function publicLive(source: LiveSource, policy: Policy): LiveSource {
  return {
    subscribe: (listener) =>
      source.subscribe((readings) => {
        const shown = shownReadings(readings, policy());
        if (shown.length > 0) listener(shown);
      }),
  };
}
