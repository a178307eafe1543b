import type { StoredReading } from '@airbox/contracts';
import { createRequire } from 'node:module';
import type { WebSocket } from '@fastify/websocket';
import { openSqliteStore } from '@airbox/store';
import { createApi, MetricsRegistry, type ApiOptions } from '../src/index.ts';

export const T0 = Date.UTC(2026, 10, 27, 0, 0); // 2026-11-27T00:00:00Z
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
export const iso = (ms: number) => new Date(ms).toISOString();

/** A calibrated box reading in Taipei (25.04 N, 121.53 E) unless told otherwise. */
export function reading(
  deviceId: string,
  timeMs: number,
  overrides: Partial<StoredReading> = {},
): StoredReading {
  return {
    deviceId,
    time: iso(timeMs),
    receivedAt: iso(timeMs + 2_000),
    lat: 25.04,
    lon: 121.53,
    pm1UgM3: 8,
    pm25UgM3: 12,
    pm10UgM3: 20,
    temperatureC: 21,
    humidityPct: 60,
    format: 'native-v1',
    app: 'AirBox',
    firmware: '1.2.0',
    flags: [],
    kind: 'box',
    pm25CalibratedUgM3: 10,
    calibrationModel: 'identity',
    ...overrides,
  };
}

/** A real in-memory SQLite store with the readings, and an API over it. */
export async function apiWith(readings: StoredReading[], opts: Partial<ApiOptions> = {}) {
  const store = openSqliteStore({ path: ':memory:' });
  if (readings.length > 0) await store.write(readings);
  const metrics = new MetricsRegistry();
  const app = createApi({ store, metrics, rateLimit: false, now: () => T0 + DAY_MS, ...opts });
  return { app, store, metrics };
}

export interface ErrorJson {
  error: { code: string; message: string };
}

/**
 * The `ws` client. web does not list `ws` itself (see the report); it resolves from
 * @fastify/websocket, which depends on it, so the test uses the same library as the server.
 */
const requireFromPlugin = createRequire(
  createRequire(import.meta.url).resolve('@fastify/websocket'),
);
export const WsClient = (requireFromPlugin('ws') as { WebSocket: new (url: string) => WebSocket })
  .WebSocket;
