import { MEASURES, measureNumbers, type StoredReading } from '@airbox/contracts';
import type { DeviceRows, ReadingLabels, ReadingRow } from '../port.ts';
import { InfluxStoreError } from './errors.ts';

/**
 * seriesRows() for InfluxDB: the readings of series(), ordered by device then time, as the
 * port's rows. InfluxQL answers JSON objects anyway, so rows are mapped from readings here
 * rather than read by a second query; the SQLite adapter is the one with a faster path.
 */
export function readingRows(readings: readonly StoredReading[]): DeviceRows[] {
  const out: DeviceRows[] = [];
  let current: DeviceRows | null = null;
  for (const reading of readings) {
    if (current === null || current.deviceId !== reading.deviceId) {
      current = { deviceId: reading.deviceId, rows: [] };
      out.push(current);
    }
    current.rows.push(readingRow(reading));
  }
  return out;
}

function readingRow(r: StoredReading): ReadingRow {
  const labels: ReadingLabels = {
    format: r.format,
    app: r.app,
    firmware: r.firmware,
    flags: r.flags,
    kind: r.kind,
    calibrationModel: r.calibrationModel ?? null,
    deviceTime: r.deviceTime ?? null,
  };
  return [
    Date.parse(r.time),
    receivedMs(r),
    r.lat,
    r.lon,
    ...measureNumbers(MEASURES, r),
    r.pm25CalibratedUgM3 ?? null,
    labels,
  ];
}

/** received_at is a string field the adapter wrote from an ISO time; anything else is refused. */
function receivedMs(r: StoredReading): number {
  const ms = Date.parse(r.receivedAt);
  if (!Number.isFinite(ms)) {
    throw new InfluxStoreError(
      'influx-bad-row',
      `reading row ${r.deviceId} @ ${r.time}: column received_at is ${JSON.stringify(r.receivedAt)}, expected an ISO 8601 time`,
    );
  }
  return ms;
}
