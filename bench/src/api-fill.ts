/**
 * The store `airbox bench api` times: minute readings of many boxes, written device by
 * device so each batch extends one device's key range.
 */
import { MEASURES, measureRecord, type StoredReading } from '@airbox/contracts';
import type { openSqliteStore } from '@airbox/store';

const MINUTE_MS = 60_000;
/** The first minute of every device's readings. */
export const T0 = Date.UTC(2026, 0, 1);
const BATCH_ROWS = 20_000;

export const deviceName = (i: number) => `bench-${String(i).padStart(5, '0')}`;

/** One device's minute readings [from, from + count), with plausible varying values. */
function readings(device: number, from: number, count: number): StoredReading[] {
  const out: StoredReading[] = [];
  for (let m = from; m < from + count; m++) {
    const time = new Date(T0 + m * MINUTE_MS).toISOString();
    const pm25 = 5 + ((m * 7 + device * 13) % 60);
    out.push({
      deviceId: deviceName(device),
      time,
      receivedAt: time,
      lat: 22 + (device % 300) / 100,
      lon: 120 + (device % 200) / 100,
      // A measure the bench does not model is null.
      ...measureRecord(MEASURES, () => null),
      pm1UgM3: pm25 * 0.7,
      pm25UgM3: pm25,
      pm10UgM3: pm25 * 1.3,
      temperatureC: 18 + (m % 15),
      humidityPct: 50 + (m % 45),
      format: 'native-v1',
      app: 'AirBox',
      firmware: '1.0.0',
      flags: [],
      kind: 'box',
      pm25CalibratedUgM3: pm25 * 0.8,
      calibrationModel: 'bench',
    });
  }
  return out;
}

export type Store = ReturnType<typeof openSqliteStore>;

/**
 * Fills device by device: each batch extends one device's key range, which SQLite appends
 * to its b-tree (the port has no bulk path; write() is one transaction per call). Returns
 * the seconds it took.
 */
export async function fill(
  store: Store,
  rows: number,
  perDevice: number,
  log: (l: string) => void,
): Promise<number> {
  const started = performance.now();
  let written = 0;
  let lastLogMs = 0;
  for (let device = 0; written < rows; device++) {
    const deviceRows = Math.min(perDevice, rows - written);
    for (let from = 0; from < deviceRows; from += BATCH_ROWS) {
      written += (
        await store.write(readings(device, from, Math.min(BATCH_ROWS, deviceRows - from)))
      ).written;
    }
    const now = performance.now();
    if (now - lastLogMs > 5_000 || written >= rows) {
      lastLogMs = now;
      const perS = Math.round(written / ((now - started) / 1000));
      log(
        `bench api: stored ${written.toLocaleString('en-US')} / ${rows.toLocaleString('en-US')} readings (${perS.toLocaleString('en-US')}/s)`,
      );
    }
  }
  return (performance.now() - started) / 1000;
}
