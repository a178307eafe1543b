import { nearestStation } from '@airbox/geo';
import type { HourlyRow, ReadingStore } from '@airbox/store';
import { CalibrationError } from './errors.ts';
import {
  stationsFromRegistry,
  withStoredReferences,
  type Located,
  type Station,
} from './stations.ts';
import type { Pair } from './types.ts';

/** A box within the pairing distance of a station counts as co-located with it. */
export const DEFAULT_MAX_DISTANCE_M = 1000;
// 75 % completeness is the US EPA's rule for building a valid average from shorter ones
// (40 CFR Part 50 App. N: a valid 24-hour PM2.5 mean needs ≥ 18 of 24 hours); applied here
// to the readings of one hour. A box reporting once a minute needs 45 of 60.
export const DEFAULT_MIN_COMPLETENESS = 0.75;
export const DEFAULT_READINGS_PER_HOUR = 60;
const HOUR_MS = 3_600_000;

/** What pairing reads from a store: any ReadingStore adapter has it. */
export type PairingStore = Pick<ReadingStore, 'latest' | 'hourly'>;

export interface Colocation {
  deviceId: string;
  station: Station;
  distanceM: number;
}

/** Each box to its nearest station within `maxDistanceM`; boxes with none are left out. */
export function findColocations(
  boxes: readonly Located[],
  stations: readonly Station[],
  maxDistanceM = DEFAULT_MAX_DISTANCE_M,
): Colocation[] {
  return boxes.flatMap((box) => {
    const near = nearestStation(box, stations, maxDistanceM);
    return near ? [{ deviceId: box.deviceId, ...near }] : [];
  });
}

export interface PairingOptions {
  /** Window of box hours, epoch ms: hours starting in [fromMs, toMs). */
  fromMs: number;
  toMs: number;
  maxDistanceM?: number;
  /** Share of the expected readings an hour needs to count (0–1, default 0.75). */
  minCompleteness?: number;
  /** How many readings a box sends in an hour when nothing is lost (default 60: 1/min). */
  expectedReadingsPerHour?: number;
  /** Default: the bundled MOENV list plus reference devices found only in the store. */
  stations?: readonly Station[];
  /**
   * What a reference reading's time labels: the start of its averaging hour (default) or
   * its end. Check the feed: a station value published "at 10:00" for 09:00–10:00 is 'end'.
   */
  referenceHourLabel?: 'start' | 'end';
}

export interface BoxSummary {
  deviceId: string;
  stationId: string;
  stationName: string;
  county: string;
  distanceM: number;
  hoursPaired: number;
  /** Box hours with fewer readings than `minReadingsPerHour`. */
  hoursIncomplete: number;
  /** Complete box hours with no station value for that hour. */
  hoursWithoutReference: number;
}

export interface PairingResult {
  pairs: Pair[];
  boxes: BoxSummary[];
  /** Boxes with a position but no station within `maxDistanceM`. */
  notColocated: string[];
  /** Boxes whose latest reading has no position. */
  withoutPosition: string[];
  /** Stations with co-located boxes but no PM2.5 reading in the window. */
  stationsWithoutData: string[];
  minReadingsPerHour: number;
  window: { from: string; to: string };
}

function invalid(message: string): CalibrationError {
  return new CalibrationError('invalid-option', message);
}

function checkOptions(o: PairingOptions): void {
  if (!Number.isFinite(o.fromMs) || !Number.isFinite(o.toMs) || o.fromMs >= o.toMs) {
    throw invalid(`pairing window ${o.fromMs}–${o.toMs} ms is empty or not finite; from < to`);
  }
  const d = o.maxDistanceM;
  if (d !== undefined && !(d > 0)) throw invalid(`maxDistanceM ${d} must be a positive distance`);
  const c = o.minCompleteness;
  if (c !== undefined && !(c > 0 && c <= 1)) throw invalid(`minCompleteness ${c} is not in (0, 1]`);
  const n = o.expectedReadingsPerHour;
  if (n !== undefined && !(Number.isInteger(n) && n > 0)) {
    throw invalid(`expectedReadingsPerHour ${n} must be a positive integer`);
  }
}

/**
 * Co-located pairs from stored readings: box hourly means (only hours meeting the
 * completeness rule) beside the station's value for the same hour.
 */
export async function buildPairs(
  store: PairingStore,
  options: PairingOptions,
): Promise<PairingResult> {
  checkOptions(options);
  const { fromMs, toMs } = options;
  const maxDistanceM = options.maxDistanceM ?? DEFAULT_MAX_DISTANCE_M;
  const minReadingsPerHour = Math.ceil(
    (options.minCompleteness ?? DEFAULT_MIN_COMPLETENESS) *
      (options.expectedReadingsPerHour ?? DEFAULT_READINGS_PER_HOUR),
  );
  const boxes = await store.latest({ kind: 'box' });
  const located = boxes.flatMap((b) =>
    b.lat === null || b.lon === null ? [] : [{ deviceId: b.deviceId, lat: b.lat, lon: b.lon }],
  );
  const stations = options.stations ?? (await defaultStations(store));
  const colocations = findColocations(located, stations, maxDistanceM);
  if (colocations.length === 0) throw noColocations(located, stations, maxDistanceM);

  const window = `${new Date(fromMs).toISOString()}–${new Date(toMs).toISOString()}`;
  const boxHours = groupByDevice(
    await store.hourly({ deviceIds: colocations.map((c) => c.deviceId), fromMs, toMs }),
  );
  if (boxHours.size === 0) {
    throw new CalibrationError(
      'empty-window',
      `no readings from the ${colocations.length} co-located box(es) ` +
        `(${colocations.map((c) => c.deviceId).join(', ')}) in ${window}; ` +
        'pick a window in which they reported',
    );
  }
  const ref = await referenceHours(store, colocations, options);
  const stationsWithoutData = [...new Set(colocations.map((c) => c.station.deviceId))].filter(
    (id) => (ref.get(id)?.size ?? 0) === 0,
  );
  const pairs: Pair[] = [];
  const summaries = colocations.map((c) => {
    const paired = pairBox(c, boxHours.get(c.deviceId) ?? [], ref, minReadingsPerHour);
    pairs.push(...paired.pairs);
    return paired.summary;
  });
  if (pairs.length === 0) throw noPairs(summaries, stationsWithoutData, window);
  const colocated = new Set(colocations.map((c) => c.deviceId));
  return {
    pairs,
    boxes: summaries,
    notColocated: located.map((b) => b.deviceId).filter((id) => !colocated.has(id)),
    withoutPosition: boxes.filter((b) => b.lat === null || b.lon === null).map((b) => b.deviceId),
    stationsWithoutData,
    minReadingsPerHour,
    window: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() },
  };
}

async function defaultStations(store: PairingStore): Promise<Station[]> {
  const refs = await store.latest({ kind: 'reference' });
  const positioned = refs.flatMap((r) =>
    r.lat === null || r.lon === null ? [] : [{ deviceId: r.deviceId, lat: r.lat, lon: r.lon }],
  );
  return withStoredReferences(stationsFromRegistry(), positioned);
}

function groupByDevice(rows: readonly HourlyRow[]): Map<string, HourlyRow[]> {
  const byDevice = new Map<string, HourlyRow[]>();
  for (const row of rows) {
    const list = byDevice.get(row.deviceId);
    if (list) list.push(row);
    else byDevice.set(row.deviceId, [row]);
  }
  return byDevice;
}

/** Station PM2.5 per station and box-hour start (ms), shifted when labelled by hour end. */
async function referenceHours(
  store: PairingStore,
  colocations: readonly Colocation[],
  options: PairingOptions,
): Promise<Map<string, Map<number, number>>> {
  const shiftMs = options.referenceHourLabel === 'end' ? HOUR_MS : 0;
  const rows = await store.hourly({
    deviceIds: [...new Set(colocations.map((c) => c.station.deviceId))],
    fromMs: options.fromMs + shiftMs,
    toMs: options.toMs + shiftMs,
  });
  const byStation = new Map<string, Map<number, number>>();
  for (const row of rows) {
    if (row.pm25UgM3 === null) continue;
    const hours = byStation.get(row.deviceId) ?? new Map<number, number>();
    hours.set(Date.parse(row.hour) - shiftMs, row.pm25UgM3);
    byStation.set(row.deviceId, hours);
  }
  return byStation;
}

function pairBox(
  c: Colocation,
  hours: readonly HourlyRow[],
  ref: ReadonlyMap<string, ReadonlyMap<number, number>>,
  minReadingsPerHour: number,
): { pairs: Pair[]; summary: BoxSummary } {
  const stationHours = ref.get(c.station.deviceId);
  const pairs: Pair[] = [];
  let hoursIncomplete = 0;
  let hoursWithoutReference = 0;
  for (const h of hours) {
    if (h.count < minReadingsPerHour || h.pm25UgM3 === null) {
      hoursIncomplete++;
      continue;
    }
    const refPm25UgM3 = stationHours?.get(Date.parse(h.hour));
    if (refPm25UgM3 === undefined) {
      hoursWithoutReference++;
      continue;
    }
    pairs.push({
      site: c.deviceId,
      time: h.hour,
      // AirBox s_d0 (and so Reading.pm25UgM3) is Plantower CF=ATM, not the CF=1 the EPA
      // corrections were derived on; models fitted on these pairs are consistent with it.
      rawPm25UgM3: h.pm25UgM3,
      rhPct: h.humidityPct,
      temperatureC: h.temperatureC,
      refPm25UgM3,
    });
  }
  const summary: BoxSummary = {
    deviceId: c.deviceId,
    stationId: c.station.deviceId,
    stationName: c.station.name,
    county: c.station.county,
    distanceM: c.distanceM,
    hoursPaired: pairs.length,
    hoursIncomplete,
    hoursWithoutReference,
  };
  return { pairs, summary };
}

function noColocations(
  located: readonly Located[],
  stations: readonly Station[],
  maxDistanceM: number,
): CalibrationError {
  if (located.length === 0) {
    return new CalibrationError(
      'no-colocations',
      'no box in the store has a position, so none can be paired with a station; ' +
        'boxes must report lat/lon (or be registered with a fixed position)',
    );
  }
  const closest = Math.min(
    ...located.map((b) => nearestStation(b, stations)?.distanceM ?? Infinity),
  );
  return new CalibrationError(
    'no-colocations',
    `none of the ${located.length} box(es) with a position is within ${maxDistanceM} m of a ` +
      `reference station (closest: ${Math.round(closest)} m); place a box at a station or ` +
      'raise maxDistanceM',
  );
}

function noPairs(
  boxes: readonly BoxSummary[],
  stationsWithoutData: readonly string[],
  window: string,
): CalibrationError {
  const stations = new Set(boxes.map((b) => b.stationId));
  if (stationsWithoutData.length === stations.size) {
    return new CalibrationError(
      'station-without-data',
      `station(s) ${stationsWithoutData.join(', ')} have no PM2.5 readings in ${window}, so ` +
        'their co-located boxes cannot be paired; check the reference feed for those stations',
    );
  }
  const incomplete = boxes.reduce((s, b) => s + b.hoursIncomplete, 0);
  const unmatched = boxes.reduce((s, b) => s + b.hoursWithoutReference, 0);
  return new CalibrationError(
    'no-pairs',
    `no co-located box-hour in ${window} could be paired: ${incomplete} hour(s) had too few ` +
      `readings, ${unmatched} had no station value for the same hour; check the box ` +
      'reporting interval (expectedReadingsPerHour) and the reference hour labels',
  );
}
