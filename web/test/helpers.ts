import { get as httpGet, type IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { WebSocket } from '@fastify/websocket';
import { openSqliteStore, type StoredReading } from '@airbox/store';
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

export interface SseEvent<T> {
  /** The `event:` field; `message` when the server sent none, as EventSource has it. */
  event: string;
  id?: string;
  data: T;
}

/**
 * An EventSource stand-in over node:http (one connection, no agent): the response headers,
 * and the events as they are parsed (comments skipped). `close()` drops the connection, as
 * a closed tab does.
 */
export async function openEventStream<T>(url: string, headers: Record<string, string> = {}) {
  const res = await new Promise<IncomingMessage>((resolve, reject) =>
    httpGet(url, { agent: false, headers }, resolve).on('error', reject),
  );
  const events: SseEvent<T>[] = [];
  let text = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    text += chunk;
    let end: number;
    while ((end = text.indexOf('\n\n')) >= 0) {
      const fields = new Map(
        text
          .slice(0, end)
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
      );
      text = text.slice(end + 2);
      const data = fields.get('data');
      if (data === undefined) continue;
      events.push({
        event: fields.get('event') ?? 'message',
        id: fields.get('id'),
        data: JSON.parse(data) as T,
      });
    }
  });
  const ended = new Promise<void>((resolve) => res.once('close', resolve));
  const take = async (count: number) => {
    while (events.length < count) await new Promise((r) => setTimeout(r, 5));
    return events.slice(0, count);
  };
  return { res, events, take, ended, close: () => res.destroy() };
}
