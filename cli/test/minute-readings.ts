import type { StoredReading } from '@airbox/contracts';

/** 2026-11-20T00:00Z: the first minute of the readings export and archive tests store. */
export const T0 = Date.UTC(2026, 10, 20);

/** A box's reading `minute` minutes after T0, raw and calibrated, at a position of its own. */
export function minuteReading(
  deviceId: string,
  minute: number,
  at: { lat: number; lon: number } = { lat: 25, lon: 121.5 },
): StoredReading {
  const time = new Date(T0 + minute * 60_000).toISOString();
  return {
    deviceId,
    time,
    receivedAt: time,
    ...at,
    pm1UgM3: null,
    pm25UgM3: 10 + (minute % 7),
    pm10UgM3: null,
    temperatureC: null,
    humidityPct: null,
    format: 'native-v1',
    app: null,
    firmware: null,
    flags: [],
    kind: 'box',
    pm25CalibratedUgM3: 8 + (minute % 7),
    calibrationModel: 'linear@1/device/x/1',
  };
}
