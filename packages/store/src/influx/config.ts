import { InfluxStoreError } from './errors.ts';

/** Buffering, spilling and retry knobs shared by both server generations. */
export interface InfluxCommonConfig {
  /** Where points are parked (fsync'd JSON lines) while the server is unreachable. */
  spillDir: string;
  /** Bound of the in-memory queue; beyond it new readings go straight to spillDir. */
  maxBufferedReadings?: number;
  /** Points per write request. */
  batchSize?: number;
  /** A partial batch waits at most this long before it is sent. */
  flushIntervalMs?: number;
  /** Write requests in flight at once. */
  concurrency?: number;
  /** First replay back-off; doubles per failed attempt up to retryMaxMs. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Fraction of each back-off that is randomised (0 = none, 1 = full jitter). */
  retryJitter?: number;
  requestTimeoutMs?: number;
  /** Bound of the spill directory; beyond it write() rejects. */
  maxSpillBytes?: number;
  /** Spill files rotate after this many points so replay can delete them one by one. */
  spillFileMaxPoints?: number;
  /**
   * How many recently written (device, time) keys are remembered to count duplicates and
   * keep the first reading (InfluxDB itself would overwrite); 0 turns this off.
   */
  recentKeys?: number;
}

/** InfluxDB 1.x (Debian ships 1.6.7: `/write` + `/query`, no `/api/v2/write`). */
export interface InfluxV1Config extends InfluxCommonConfig {
  mode: 'v1';
  url: string;
  database: string;
  retentionPolicy?: string;
  username?: string;
  password?: string;
  /** Send `CREATE DATABASE` at open and when a write meets "database not found". */
  createDatabase?: boolean;
}

/** InfluxDB 2.x/3.x, or anything serving `/api/v2/write` (VictoriaMetrics). */
export interface InfluxV2Config extends InfluxCommonConfig {
  mode: 'v2';
  url: string;
  org: string;
  bucket: string;
  token: string;
  /** Database name of the bucket's DBRP mapping, for InfluxQL reads; default: bucket. */
  queryDatabase?: string;
  queryRetentionPolicy?: string;
}

export type InfluxStoreConfig = InfluxV1Config | InfluxV2Config;

type Defaults = Required<Omit<InfluxCommonConfig, 'spillDir'>>;
export const INFLUX_DEFAULTS: Defaults = {
  maxBufferedReadings: 100_000,
  batchSize: 5_000,
  flushIntervalMs: 500,
  concurrency: 2,
  retryMinMs: 1_000,
  retryMaxMs: 30_000,
  retryJitter: 0.5,
  requestTimeoutMs: 10_000,
  maxSpillBytes: 1024 ** 3,
  spillFileMaxPoints: 50_000,
  recentKeys: 100_000,
};

export type ResolvedInfluxConfig = (
  (InfluxV1Config & { createDatabase: boolean }) | InfluxV2Config
) &
  Defaults;

/** [field, min, max] of every numeric knob: integers, except retryJitter. */
const NUMBER_RULES: [keyof Defaults, number, number][] = [
  ['maxBufferedReadings', 1, 100_000_000],
  ['batchSize', 1, 1_000_000],
  ['flushIntervalMs', 1, 3_600_000],
  ['concurrency', 1, 64],
  ['retryMinMs', 1, 3_600_000],
  ['retryMaxMs', 1, 86_400_000],
  ['retryJitter', 0, 1],
  ['requestTimeoutMs', 100, 3_600_000],
  ['maxSpillBytes', 1024, Number.MAX_SAFE_INTEGER],
  ['spillFileMaxPoints', 1, 10_000_000],
  ['recentKeys', 0, 10_000_000],
];

const STRINGS = {
  v1: {
    required: ['url', 'database', 'spillDir'],
    optional: ['retentionPolicy', 'username', 'password'],
  },
  v2: {
    required: ['url', 'org', 'bucket', 'token', 'spillDir'],
    optional: ['queryDatabase', 'queryRetentionPolicy'],
  },
} as const;

/**
 * Checks a config that came from outside (file, env) and fills in the defaults. Every
 * problem is listed at once, each naming the field, so one edit fixes the file.
 */
export function parseInfluxConfig(input: unknown): ResolvedInfluxConfig {
  const problems: string[] = [];
  if (typeof input !== 'object' || input === null) {
    throw configError(['config: expected an object']);
  }
  const raw = input as Record<string, unknown>;
  const mode = raw['mode'];
  if (mode !== 'v1' && mode !== 'v2') {
    throw configError([
      `mode: expected "v1" (InfluxDB 1.x /write) or "v2" (/api/v2/write), got ${JSON.stringify(mode)}`,
    ]);
  }
  const out: Record<string, unknown> = { ...INFLUX_DEFAULTS, mode };
  for (const key of STRINGS[mode].required) checkString(raw, key, true, out, problems);
  for (const key of STRINGS[mode].optional) checkString(raw, key, false, out, problems);
  for (const [key, min, max] of NUMBER_RULES) checkNumber(raw, key, min, max, out, problems);
  if (typeof out['url'] === 'string') checkUrl(out['url'], problems);
  if (mode === 'v1') out['createDatabase'] = checkBoolean(raw, 'createDatabase', problems);
  if ((out['retryMaxMs'] as number) < (out['retryMinMs'] as number)) {
    problems.push('retryMaxMs: must be at least retryMinMs');
  }
  if (problems.length > 0) throw configError(problems);
  return out as unknown as ResolvedInfluxConfig;
}

function configError(problems: string[]): InfluxStoreError {
  return new InfluxStoreError('influx-config-invalid', problems.join('; '));
}

function checkString(
  raw: Record<string, unknown>,
  key: string,
  required: boolean,
  out: Record<string, unknown>,
  problems: string[],
): void {
  const value = raw[key];
  if (value === undefined && !required) return;
  if (typeof value !== 'string' || value.length === 0) {
    problems.push(`${key}: expected a non-empty string, got ${JSON.stringify(value) ?? 'nothing'}`);
    return;
  }
  out[key] = value;
}

function checkNumber(
  raw: Record<string, unknown>,
  key: keyof Defaults,
  min: number,
  max: number,
  out: Record<string, unknown>,
  problems: string[],
): void {
  const value = raw[key];
  if (value === undefined) return;
  const integer = key !== 'retryJitter';
  if (
    typeof value !== 'number' ||
    !(value >= min && value <= max) ||
    (integer && !Number.isInteger(value))
  ) {
    problems.push(
      `${key}: expected ${integer ? 'an integer' : 'a number'} in ${min}…${max}, got ${JSON.stringify(value)}`,
    );
    return;
  }
  out[key] = value;
}

function checkBoolean(raw: Record<string, unknown>, key: string, problems: string[]): boolean {
  const value = raw[key];
  if (value === undefined) return false;
  if (typeof value !== 'boolean')
    problems.push(`${key}: expected true or false, got ${JSON.stringify(value)}`);
  return value === true;
}

function checkUrl(url: string, problems: string[]): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    problems.push(`url: ${JSON.stringify(url)} is not a URL (expected e.g. http://127.0.0.1:8086)`);
    return;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    problems.push(`url: expected http: or https:, got ${parsed.protocol}`);
  }
  if (parsed.search !== '' || parsed.username !== '') {
    problems.push(
      'url: put no query or credentials in the URL; use the token/username/password fields',
    );
  }
}
