import type { StoredReading } from '@airbox/contracts';
import type { DeadLetter } from '../src/index.ts';

/** 2024-03-01 10:00 UTC (18:00 in Taipei): the start of an hour, for roll-up tests. */
export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;
export const T0_MS = Date.parse('2024-03-01T10:00:00.000Z');

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * A LASS AirBox reading as the worker would store it (values from a ver_format=3 message of
 * an Edimax AirBox, firmware 4.x, in Taipei); `overrides` changes any field.
 */
export function boxReading(
  deviceId: string,
  timeMs: number,
  overrides: Partial<StoredReading> = {},
): StoredReading {
  return {
    deviceId,
    time: iso(timeMs),
    receivedAt: iso(timeMs + 1_250),
    lat: 25.0478,
    lon: 121.5319,
    pm1UgM3: 8,
    pm25UgM3: 12.5,
    pm10UgM3: 20,
    temperatureC: 27.25,
    humidityPct: 71,
    format: 'lass-v3',
    app: 'AirBox',
    firmware: 'ver_4.1.1',
    flags: [],
    kind: 'box',
    pm25CalibratedUgM3: null,
    calibrationModel: null,
    ...overrides,
  };
}

/** Every field set, including the optional ones. */
export function fullReading(deviceId: string, timeMs: number): StoredReading {
  return boxReading(deviceId, timeMs, {
    deviceTime: '2080-01-06T00:00:05.000Z',
    lat: 24.1477358,
    lon: 120.6736482,
    pm1UgM3: 17,
    pm25UgM3: 23.4,
    pm10UgM3: 31.75,
    temperatureC: -3.5,
    humidityPct: 96.2,
    flags: ['clock-invalid', 'humidity-high', 'pm-order'],
    pm25CalibratedUgM3: 18.062,
    calibrationModel: 'barkjohn-2021-us',
  });
}

/** A reading from a box whose sensors reported nothing, without the optional fields. */
export function emptyReading(deviceId: string, timeMs: number): StoredReading {
  return {
    deviceId,
    time: iso(timeMs),
    receivedAt: iso(timeMs + 900),
    lat: null,
    lon: null,
    pm1UgM3: null,
    pm25UgM3: null,
    pm10UgM3: null,
    temperatureC: null,
    humidityPct: null,
    format: 'lass-v0',
    app: null,
    firmware: null,
    flags: ['pm1-missing', 'pm25-missing', 'pm10-missing', 'position-missing'],
    kind: 'box',
  };
}

/**
 * What a store returns for `reading`: an absent calibration comes back as null (the port
 * types allow both; stores answer with one shape), an absent deviceTime stays absent.
 */
export function asStored(reading: StoredReading): StoredReading {
  return {
    ...reading,
    pm25CalibratedUgM3: reading.pm25CalibratedUgM3 ?? null,
    calibrationModel: reading.calibrationModel ?? null,
  };
}

/** Bytes no UTF-8 decoder accepts: a lone continuation byte, an overlong NUL, 0xFF 0xFE. */
export const NON_UTF8_BYTES = new Uint8Array([0x80, 0xc0, 0x80, 0xff, 0xfe, 0x00, 0xc3, 0x28]);

export function deadLetter(topic: string, receivedMs: number, payload: Uint8Array): DeadLetter {
  return {
    receivedAt: iso(receivedMs),
    topic,
    payload,
    clientId: 'AirBox-74DA38F207DE',
    code: 'invalid-encoding',
    reason: `payload on ${topic} is not UTF-8 text (byte 0 is 0x80)`,
  };
}
