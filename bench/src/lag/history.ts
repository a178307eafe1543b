/**
 * The history `airbox bench lag` starts serve on: boxes in clusters around reference
 * stations (every box within 1 km of one, so the refit pairs them all), a reading a minute
 * from each box for `days` days up to now, and an hourly reading from each station.
 * Written straight into the SQLite store before serve starts, device by device.
 */
import { join } from 'node:path';
import { MEASURES, measureRecord, type StoredReading } from '@airbox/contracts';
import { openSqliteRegistry, type Credentials } from '@airbox/registry';
import { openSqliteStore } from '@airbox/store';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const BOXES_PER_STATION = 25;
const BATCH_ROWS = 20_000;

export interface Box {
  deviceId: string;
  lat: number;
  lon: number;
}

export interface History {
  boxes: Box[];
  /** The boxes' logins, registered in the data dir's devices.db. */
  logins: Credentials[];
  stations: number;
  rows: number;
  fillS: number;
  /** The history covers [fromMs, toMs). */
  fromMs: number;
  toMs: number;
}

/** Stations on a grid over western Taiwan; box i near station i % stations, 200–800 m off. */
function layout(boxes: number): { stations: Box[]; boxes: Box[] } {
  const n = Math.max(1, Math.ceil(boxes / BOXES_PER_STATION));
  const side = Math.ceil(Math.sqrt(n));
  const stations = Array.from({ length: n }, (_, s) => ({
    deviceId: `REF-${String(s).padStart(3, '0')}`,
    lat: 22.2 + (3 * Math.floor(s / side)) / side,
    lon: 120.2 + (1.4 * (s % side)) / side,
  }));
  const placed = Array.from({ length: boxes }, (_, i) => {
    const station = stations[i % n]!;
    const angle = i * 2.39996; // the golden angle: neighbours spread around the station
    const offsetDeg = (200 + ((i * 37) % 600)) / 111_000;
    return {
      deviceId: `lag-${String(i).padStart(5, '0')}`,
      lat: station.lat + offsetDeg * Math.sin(angle),
      lon: station.lon + offsetDeg * Math.cos(angle),
    };
  });
  return { stations, boxes: placed };
}

/** The PM2.5 a station measures at `hour` (µg/m³): a daily cycle and a slow drift. */
function referencePm25(station: number, hourMs: number): number {
  const h = hourMs / HOUR_MS;
  return 15 + 8 * Math.sin((2 * Math.PI * h) / 24 + station) + ((h + station * 7) % 97) / 10;
}

function reading(box: Box, kind: StoredReading['kind'], timeMs: number, pm25: number) {
  const time = new Date(timeMs).toISOString();
  const rh = 55 + 25 * Math.sin(timeMs / (7 * HOUR_MS));
  const r: StoredReading = {
    deviceId: box.deviceId,
    time,
    receivedAt: time,
    lat: box.lat,
    lon: box.lon,
    ...measureRecord(MEASURES, () => null),
    pm1UgM3: pm25 * 0.7,
    pm25UgM3: pm25,
    pm10UgM3: pm25 * 1.3,
    temperatureC: 20 + 6 * Math.sin(timeMs / (12 * HOUR_MS)),
    humidityPct: rh,
    format: 'native-v1',
    app: kind === 'box' ? 'AirBox' : null,
    firmware: null,
    flags: [],
    kind,
  };
  return r;
}

/** A box's readings in [fromMs, toMs): its station's PM2.5, raised as a PMS5003's is. */
function* boxRows(box: Box, station: number, fromMs: number, toMs: number, intervalMs: number) {
  for (let t = fromMs; t < toMs; t += intervalMs) {
    const ref = referencePm25(station, Math.floor(t / HOUR_MS) * HOUR_MS);
    yield reading(box, 'box', t, ref * 1.45 + 2 + ((t / MINUTE_MS) % 5) / 5);
  }
}

async function writeAll(
  store: ReturnType<typeof openSqliteStore>,
  rows: Iterable<StoredReading>,
): Promise<number> {
  let batch: StoredReading[] = [];
  let written = 0;
  for (const row of rows) {
    batch.push(row);
    if (batch.length === BATCH_ROWS) {
      written += (await store.write(batch)).written;
      batch = [];
    }
  }
  if (batch.length > 0) written += (await store.write(batch)).written;
  return written;
}

/**
 * Fills `dataDir` (readings.db, devices.db) with `boxes` boxes × `days` days ending at the
 * minute before `nowMs`, a reading every `intervalMs` (default a minute), and registers
 * the boxes.
 */
export async function fillHistory(
  dataDir: string,
  o: { boxes: number; days: number; nowMs: number; intervalMs?: number },
  progress: (message: string) => void,
): Promise<History> {
  const started = performance.now();
  const toMs = Math.floor(o.nowMs / MINUTE_MS) * MINUTE_MS;
  const fromMs = toMs - o.days * 24 * HOUR_MS;
  const { stations, boxes } = layout(o.boxes);
  const store = openSqliteStore({ path: join(dataDir, 'readings.db') });
  let rows = 0;
  try {
    for (const [s, station] of stations.entries()) {
      const hours = function* () {
        for (let t = fromMs; t < toMs; t += HOUR_MS)
          yield reading(station, 'reference', t, referencePm25(s, t));
      };
      rows += await writeAll(store, hours());
    }
    for (const [i, box] of boxes.entries()) {
      rows += await writeAll(
        store,
        boxRows(box, i % stations.length, fromMs, toMs, o.intervalMs ?? MINUTE_MS),
      );
      if (i % 50 === 49) progress(`history: ${i + 1} of ${boxes.length} boxes, ${rows} rows`);
    }
  } finally {
    await store.close();
  }
  const registry = await openSqliteRegistry(join(dataDir, 'devices.db'));
  const logins = await registry.devices.issueMany(boxes.map((b) => b.deviceId));
  await registry.close();
  const fillS = (performance.now() - started) / 1000;
  return { boxes, logins, stations: stations.length, rows, fillS, fromMs, toMs };
}
