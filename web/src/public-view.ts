import type { LiveSource, RawSource, StoredReading } from '@airbox/contracts';
import {
  rowLabels,
  type DeviceRows,
  type LatestQuery,
  type ReadingRow,
  type ReadingStore,
  type RecalibrateOptions,
  type RecalibrateQuery,
  type Recalibrator,
  type SeriesQuery,
} from '@airbox/store';
import { isIndoor, onIndoorGrid, publicReading } from './placement.ts';
import { redactRawMessage } from './raw-redaction.ts';

/**
 * What the public routes see of the store, the live stream and the raw tail: an indoor
 * box's position on the indoor grid (placement.ts), wherever it leaves the API. Applied
 * once, where the API takes its options (options.ts), rather than route by route, so
 * filters by position (bbox) see the grid too — a bbox tested against the exact position
 * would let anyone narrow it down at will — and a route added later cannot forget it.
 */

type IndoorIds = () => ReadonlySet<string>;

/** A row of an indoor box with its position on the grid; the row itself otherwise. */
function publicRow(deviceId: string, row: ReadingRow, indoorIds: ReadonlySet<string>) {
  const [, , lat, lon] = row;
  if (!isIndoor({ deviceId, kind: rowLabels(row).kind }, indoorIds)) return row;
  if (lat === null && lon === null) return row;
  const copy = [...row];
  copy[2] = onIndoorGrid(lat);
  copy[3] = onIndoorGrid(lon);
  // The same tuple with two numbers replaced by numbers: still a ReadingRow.
  return copy as unknown as ReadingRow;
}

/**
 * The store with latest(), series() and seriesRows() as the public sees them; every other
 * method (hourly rows carry no position, dead letters …) is the store's own. A method
 * added to the port must be added here, so whoever adds one decides whether it tells a
 * position.
 */
export class PublicStore implements ReadingStore {
  readonly #store: ReadingStore;
  readonly #indoorIds: IndoorIds;

  constructor(store: ReadingStore, indoorIds: IndoorIds) {
    this.#store = store;
    this.#indoorIds = indoorIds;
  }

  get kind(): ReadingStore['kind'] {
    return this.#store.kind;
  }

  async latest(query?: LatestQuery): Promise<StoredReading[]> {
    const ids = this.#indoorIds();
    return (await this.#store.latest(query)).map((r) => publicReading(r, ids));
  }

  async series(query: SeriesQuery): Promise<StoredReading[]> {
    const ids = this.#indoorIds();
    return (await this.#store.series(query)).map((r) => publicReading(r, ids));
  }

  async seriesRows(query: SeriesQuery): Promise<DeviceRows[]> {
    const ids = this.#indoorIds();
    return (await this.#store.seriesRows(query)).map(({ deviceId, rows }) => ({
      deviceId,
      rows: ids.has(deviceId) ? rows.map((row) => publicRow(deviceId, row, ids)) : rows,
    }));
  }

  write: ReadingStore['write'] = (readings) => this.#store.write(readings);
  hourly: ReadingStore['hourly'] = (query) => this.#store.hourly(query);
  addDeadLetter: ReadingStore['addDeadLetter'] = (letter) => this.#store.addDeadLetter(letter);
  deadLetters: ReadingStore['deadLetters'] = (query) => this.#store.deadLetters(query);
  countReadings: ReadingStore['countReadings'] = () => this.#store.countReadings();
  stats: ReadingStore['stats'] = () => this.#store.stats();
  close: ReadingStore['close'] = () => this.#store.close();

  recalibrate(query: RecalibrateQuery, calibrate: Recalibrator, options?: RecalibrateOptions) {
    return this.#store.recalibrate(query, calibrate, options);
  }
}

/** The live stream with each reading as the public sees it. */
export function publicLive(source: LiveSource, indoorIds: IndoorIds): LiveSource {
  return {
    subscribe: (listener) =>
      source.subscribe((readings) => {
        const ids = indoorIds();
        listener(readings.map((r) => publicReading(r, ids)));
      }),
  };
}

/** The raw tail with an indoor box's positions redacted from its messages (raw-redaction.ts). */
export function publicRaw(source: RawSource, indoorIds: IndoorIds): RawSource {
  // Asked per message: a box moved indoors is redacted from its next message on.
  const shown = <M extends { deviceId: string; text: string }>(m: M): M =>
    indoorIds().has(m.deviceId) ? redactRawMessage(m) : m;
  return {
    recentOf: (deviceId, afterSeq) => source.recentOf(deviceId, afterSeq).map(shown),
    subscribe: (deviceId, listener) => source.subscribe(deviceId, (m) => listener(shown(m))),
  };
}
