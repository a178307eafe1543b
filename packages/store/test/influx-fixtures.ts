import type { StoredReading } from '@airbox/contracts';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { InfluxV1Config } from '../src/index.ts';
import { boxReading } from './readings.ts';

/** Small timings so an outage in a test costs seconds, not the production minutes. */
export const FAST = {
  batchSize: 500,
  flushIntervalMs: 20,
  retryMinMs: 100,
  retryMaxMs: 800,
  requestTimeoutMs: 3_000,
} as const;

export async function tempDir(
  what: string,
): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `airbox-${what}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export function v1Config(
  url: string,
  database: string,
  spillDir: string,
  more: Partial<InfluxV1Config> = {},
): InfluxV1Config {
  return { mode: 'v1', url, database, spillDir, createDatabase: true, ...FAST, ...more };
}

/** Runs an InfluxQL statement that changes state (CREATE/DROP): 1.x wants those as POST. */
export async function influxQl(url: string, q: string, db = ''): Promise<unknown> {
  const res = await fetch(`${url}/query?db=${encodeURIComponent(db)}`, {
    method: 'POST',
    body: new URLSearchParams({ q }),
  });
  if (!res.ok) throw new Error(`${q}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Posts raw line protocol, as a foreign writer would. */
export async function writeRaw(url: string, db: string, lines: string): Promise<number> {
  const res = await fetch(`${url}/write?db=${encodeURIComponent(db)}&precision=ms`, {
    method: 'POST',
    body: lines,
  });
  await res.arrayBuffer();
  return res.status;
}

export async function spillFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.endsWith('.jsonl'));
}

/** Polls until `check` holds, or fails naming what was awaited and the last value seen. */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!check(last)) {
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)}`,
      );
    await sleep(100);
    last = await probe();
  }
  return last;
}

/**
 * `devices` AirBoxes reporting every minute from `startMs`, with values that differ per
 * reading (so a swapped or lost value shows), some nulls and flags as in real LASS data.
 */
export function fleet(
  prefix: string,
  devices: number,
  perDevice: number,
  startMs: number,
): StoredReading[] {
  const readings: StoredReading[] = [];
  for (let d = 0; d < devices; d++) {
    for (let i = 0; i < perDevice; i++) {
      const n = d * perDevice + i;
      readings.push(
        boxReading(`${prefix}-${String(d).padStart(3, '0')}`, startMs + i * 60_000, {
          pm25UgM3: 5 + (n % 97) * 0.5,
          pm10UgM3: n % 11 === 0 ? null : 10 + (n % 89),
          pm1UgM3: 3 + (n % 13),
          temperatureC: 20 + (n % 150) / 10,
          humidityPct: 50 + (n % 45),
          flags: n % 7 === 0 ? ['humidity-high'] : [],
        }),
      );
    }
  }
  return readings;
}
