import { MEASURES, measureRecord, type Reading } from '@airbox/contracts';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeMessage, lassV3FromReading, parseCaptureLine } from '@airbox/protocol';

/** What `airbox bench decode` promises on this project's 2-core reference machine. */
export const DECODE_TARGET_PER_S = 150_000;

export interface DecodeBenchResult {
  bench: 'decode';
  payloads: number;
  decodedOk: number;
  seconds: number;
  perSecond: number;
  targetPerSecond: number;
  targetMet: boolean;
  corpus: { realPayloads: number; generatedV3: number };
  cpu: string;
  node: string;
}

// Through module resolution, so it is found from the sources and from the bundled CLI.
const PACKAGE_DIR = dirname(
  createRequire(import.meta.url).resolve('@airbox/protocol/package.json'),
);
const FIXTURES = pathToFileURL(join(PACKAGE_DIR, 'test/fixtures/lass/') + '/');

/** Real LASS lines from the fixtures: the 2015 capture (v1) and the v0–v3 samples. */
function realPayloads(): { topic: string; payload: Buffer }[] {
  const capture = readFileSync(new URL('capture-2015-10-09-part1.txt', FIXTURES), 'utf8');
  const samples = readFileSync(new URL('payload-samples.tsv', FIXTURES), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((row) => row.split('\t')[4] ?? '');
  return [...capture.trim().split('\n'), ...samples].map((line) => {
    const { topic, payload } = parseCaptureLine(line);
    return { topic: topic ?? 'LASS/Test/PM25', payload: Buffer.from(payload) };
  });
}

/** AirBox-style ver_format=3 lines, as most of today's LASS traffic is. */
function generatedV3(count: number): { topic: string; payload: Buffer }[] {
  const out = [];
  for (let i = 0; i < count; i++) {
    const r: Reading = {
      deviceId: `74DA38${(0xa00000 + i).toString(16).toUpperCase()}`,
      time: new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString(),
      lat: 22 + (i % 300) / 100,
      lon: 120 + (i % 200) / 100,
      // A measure the bench does not model is null.
      ...measureRecord(MEASURES, () => null),
      pm1UgM3: 5 + (i % 40),
      pm25UgM3: 8 + (i % 60),
      pm10UgM3: 10 + (i % 80),
      temperatureC: 18 + (i % 15),
      humidityPct: 50 + (i % 45),
      format: 'lass-v3',
      app: 'AirBox',
      firmware: null,
      flags: [],
      kind: 'box',
    };
    const payload = lassV3FromReading(r, {
      app: 'AirBox',
      verApp: '1.06',
      device: 'AirBox',
      tick: i,
    });
    out.push({ topic: 'LASS/Test/PM25', payload: Buffer.from(payload) });
  }
  return out;
}

/** Decodes and validates LASS payloads from bytes on this one thread for `seconds`. */
export function runDecodeBench(
  seconds: number,
  now: () => number = () => performance.now(),
): DecodeBenchResult {
  const real = realPayloads();
  const generated = generatedV3(2000);
  const corpus = [...real, ...generated];
  const ctx = { nowMs: Date.UTC(2026, 10, 27), receivedAtMs: Date.UTC(2026, 10, 27) };
  let payloads = 0;
  let decodedOk = 0;
  const start = now();
  const end = start + seconds * 1000;
  let t = start;
  while (t < end) {
    for (const { topic, payload } of corpus) {
      if (decodeMessage(topic, payload, ctx).ok) decodedOk++;
    }
    payloads += corpus.length;
    t = now();
  }
  const elapsed = (t - start) / 1000;
  const perSecond = Math.round(payloads / elapsed);
  return {
    bench: 'decode',
    payloads,
    decodedOk,
    seconds: Math.round(elapsed * 1000) / 1000,
    perSecond,
    targetPerSecond: DECODE_TARGET_PER_S,
    targetMet: perSecond >= DECODE_TARGET_PER_S,
    corpus: { realPayloads: real.length, generatedV3: generated.length },
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
  };
}
