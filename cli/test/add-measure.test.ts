import type * as Contracts from '@airbox/contracts';
import { MEASURES, type MeasureSpec, type StoredReading } from '@airbox/contracts';
import { decodeLass, decodeNative } from '@airbox/protocol';
import { NUMBER_FIELDS, openSqliteStore, READING_ROW, readingToLine } from '@airbox/store';
import { tempDir } from '@airbox/testkit';
import { createApi, MetricsRegistry } from '@airbox/web';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runCli } from './run.ts';

/**
 * "Adding a measure touches the MEASURES table and nothing else" (measures.ts), proved: CO2
 * is added to the table (vi.mock of @airbox/contracts; vi.mock is hoisted above the imports,
 * so every module of every package loads with the longer table) and no other file changes.
 * The store keeps and reads it back, an older file gets its columns, the API, its OpenAPI
 * document, the CSV headers, `airbox export`, InfluxDB lines and the native decoder carry it.
 *
 * Not covered: its QC flag codes (co2-missing …). flags.ts derives them from the table inside
 * the contracts package, which a mock of the package's entry cannot reach; a CO2 reading
 * here therefore carries no CO2 flag.
 */
const { CO2 } = vi.hoisted(() => ({
  CO2: {
    id: 'co2',
    field: 'co2Ppm',
    label: 'CO2',
    labelZh: '二氧化碳',
    unit: 'ppm',
    min: 0,
    max: 10_000,
    sqliteColumn: 'co2_ppm',
    rollup: true,
    severity: { missing: 'info', invalid: 'info', 'out-of-range': 'suspect' },
  } as const,
}));

vi.mock('@airbox/contracts', async (importOriginal) => {
  const original = await importOriginal<typeof Contracts>();
  const co2: MeasureSpec = CO2;
  return { ...original, MEASURES: [...original.MEASURES, co2] };
});

/** The part of better-sqlite3 the test uses (no @types/better-sqlite3 in this package). */
interface Db {
  prepare(sql: string): { run(): unknown; all(...params: unknown[]): unknown[] };
  close(): void;
}
const Database = createRequire(import.meta.url)('better-sqlite3') as new (
  path: string,
  options?: { readonly?: boolean },
) => Db;

const T0 = Date.UTC(2026, 10, 27);
const MINUTE_MS = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const dir = tempDir('add-measure');
afterAll(() => dir.remove());

/** A stored reading with the measure TypeScript does not know of (the real table lacks it). */
type Co2Reading = StoredReading & { co2Ppm?: number | null };

function reading(deviceId: string, minute: number, co2Ppm: number | null): Co2Reading {
  const time = iso(T0 + minute * MINUTE_MS);
  return {
    deviceId,
    time,
    receivedAt: time,
    lat: 25.04,
    lon: 121.53,
    pm1UgM3: 8,
    pm25UgM3: 12,
    pm10UgM3: 20,
    temperatureC: 21,
    humidityPct: 60,
    co2Ppm,
    format: 'native-v1',
    app: 'AirBox',
    firmware: '1.2.0',
    flags: [],
    kind: 'box',
    pm25CalibratedUgM3: 10,
    calibrationModel: 'identity',
  };
}

const query = (deviceIds: string[]) => ({ deviceIds, fromMs: T0, toMs: T0 + 86_400_000 });

describe('a measure added to MEASURES', () => {
  it('reaches every package: the table of this test is the one the store lays its rows out by', () => {
    expect(MEASURES.map((m) => m.id)).toEqual([
      'pm1',
      'pm25',
      'pm10',
      'temperature',
      'humidity',
      'co2',
    ]);
    expect(READING_ROW).toEqual({ measuresAt: 4, calibratedAt: 10, labelsAt: 11 });
  });

  it('is stored and read back by the SQLite store: series, rows, latest and the hourly means', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    await store.write([reading('a', 0, 400), reading('a', 1, 500), reading('a', 2, null)]);
    const q = query(['a']);
    expect((await store.series(q)).map((r: Co2Reading) => r.co2Ppm)).toEqual([400, 500, null]);
    const [rows] = await store.seriesRows(q);
    expect(rows?.rows.map((row) => row[READING_ROW.measuresAt + 5])).toEqual([400, 500, null]);
    expect(rows?.rows[0]?.[READING_ROW.labelsAt]).toMatchObject({ app: 'AirBox' });
    const [latest]: Co2Reading[] = await store.latest();
    expect(latest?.co2Ppm).toBeNull();
    const [hour] = await store.hourly(q);
    // The mean of the readings that had the value, beside the other means.
    expect(hour).toMatchObject({ count: 3, co2Ppm: 450, pm25UgM3: 12, humidityPct: 60 });
    await store.close();
  });
});

/** A SQLite file as the code before CO2 wrote it: a process whose table has no CO2. */
async function fileWithoutCo2(path: string): Promise<void> {
  const script = `
    import { openSqliteStore } from '@airbox/store';
    const store = openSqliteStore({ path: ${JSON.stringify(path)} });
    const t = ${JSON.stringify(iso(T0))};
    await store.write([{ deviceId: 'old', time: t, receivedAt: t, lat: null, lon: null,
      pm1UgM3: 1, pm25UgM3: 2, pm10UgM3: 3, temperatureC: 20, humidityPct: 50,
      format: 'native-v1', app: null, firmware: null, flags: [], kind: 'box' }]);
    await store.close();`;
  const cli = fileURLToPath(new URL('..', import.meta.url));
  await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: cli },
  );
}

describe('an existing SQLite file without the measure', () => {
  it('gets its columns on open, keeps its readings, and guards the new column as raw', async () => {
    const path = join(dir.path, 'before-co2.db');
    await fileWithoutCo2(path);
    const columns = (table: string) => {
      const db = new Database(path, { readonly: true });
      const names = db.prepare('SELECT name FROM pragma_table_info(?)').all(table);
      db.close();
      return names.map((c) => (c as { name: string }).name);
    };
    expect(columns('readings')).not.toContain('co2_ppm');

    const store = openSqliteStore({ path });
    await store.write([reading('old', 1, 420)]);
    const q = query(['old']);
    expect((await store.series(q)).map((r: Co2Reading) => r.co2Ppm)).toEqual([null, 420]);
    // Both readings count; the CO2 mean is over the one that had it.
    expect(await store.hourly(q)).toMatchObject([{ count: 2, co2Ppm: 420, pm25UgM3: 7 }]);
    await store.close();

    expect(columns('readings')).toContain('co2_ppm');
    expect(columns('hourly')).toEqual(expect.arrayContaining(['co2_n', 'co2_sum']));
    // The raw-value trigger was rebuilt from the table: the new column is raw like the others.
    const db = new Database(path);
    expect(() => db.prepare('UPDATE readings SET co2_ppm = 1').run()).toThrow(/never overwritten/);
    db.close();
    // Opening again finds nothing missing and leaves the schema as it is.
    const schema = () => {
      const file = new Database(path, { readonly: true });
      const sql = file.prepare('SELECT sql FROM sqlite_master ORDER BY name').all();
      file.close();
      return sql;
    };
    const before = schema();
    await openSqliteStore({ path }).close();
    expect(schema()).toEqual(before);
  });
});

/** An API over a store holding one box's readings with CO2. */
async function apiWithCo2() {
  const store = openSqliteStore({ path: ':memory:' });
  await store.write([reading('box-a', 0, 400), reading('box-a', 1, 500)]);
  const api = createApi({
    store,
    metrics: new MetricsRegistry(),
    rateLimit: false,
    now: () => T0 + 86_400_000,
  });
  const range = `from=${iso(T0)}&to=${iso(T0 + 86_400_000)}`;
  const get = async (query: string) => api.inject(`/api/v1/series?device=box-a&${range}&${query}`);
  return { api, store, get };
}

describe('the API with the measure', () => {
  it('answers it in raw, hourly and daily series, as JSON and in the CSV headers', async () => {
    const { api, store, get } = await apiWithCo2();
    const raw = (await get('agg=raw')).json<{ readings: Co2Reading[] }>();
    expect(raw.readings.map((r) => r.co2Ppm)).toEqual([400, 500]);
    for (const agg of ['1h', '1d']) {
      const rows = (await get(`agg=${agg}`)).json<{ rows: { co2Ppm: number }[] }>().rows;
      expect(rows.map((r) => r.co2Ppm)).toEqual([450]);
    }
    const csv = (await get('agg=raw&format=csv')).body.split('\r\n');
    expect(csv[0]).toContain(',humidityPct,co2Ppm,pm25CalibratedUgM3,');
    expect(csv[1]).toContain(',60,400,10,identity,');
    const hourly = (await get('agg=1h&format=csv')).body.split('\r\n');
    expect(hourly[0]).toMatch(/,humidityPct,co2Ppm$/);
    expect(hourly[1]).toMatch(/,60,450$/);
    await api.close();
    await store.close();
  });

  it('documents it in the OpenAPI document: readings, hourly and daily rows', async () => {
    const { api, store } = await apiWithCo2();
    type Doc = { components: { schemas: Record<string, { properties: Record<string, unknown> }> } };
    const doc = (await api.inject('/api/v1/openapi.json')).json<Doc>();
    for (const schema of ['Reading', 'PlacedReading', 'HourlyRow', 'DailyRow']) {
      expect(doc.components.schemas[schema]?.properties['co2Ppm']).toEqual({
        type: ['number', 'null'],
      });
    }
    await api.close();
    await store.close();
  });

  it('exports it with `airbox export`', async () => {
    const dataDir = join(dir.path, 'export');
    const store = openSqliteStore({ path: join(dataDir, 'readings.db') });
    await store.write([reading('box-a', 0, 415)]);
    await store.close();
    const range = ['--from', iso(T0), '--to', iso(T0 + 86_400_000), '--data-dir', dataDir];
    const csv = await runCli(['export', ...range]);
    expect(csv.stdout).toContain(',humidityPct,co2Ppm,pm25CalibratedUgM3,');
    expect(csv.stdout).toContain(',60,415,10,');
  });
});

describe('the wire and InfluxDB with the measure', () => {
  it('writes it as the InfluxDB field named by its id', () => {
    expect(NUMBER_FIELDS['co2']).toBe('co2Ppm');
    expect(readingToLine(reading('box-a', 0, 415))).toMatch(/,humidity=60,co2=415,lat=/);
  });

  it('reads it from native JSON, whose schema is the reading; LASS does not carry it', () => {
    const ctx = { nowMs: T0 + 86_400_000 };
    const native = decodeNative(
      JSON.stringify({ deviceId: 'box-a', time: iso(T0), co2Ppm: 415 }),
      ctx,
    );
    expect(native.ok && native.readings[0]).toMatchObject({ co2Ppm: 415, pm25UgM3: null });
    const lass = decodeLass(
      `|ver_format=3|app=AirBox|device_id=74DA38F7C4E4|date=2026-11-27|time=00:00:00|s_d0=33|`,
      ctx,
    );
    const [decoded] = lass.ok ? lass.readings : [];
    expect(decoded).toMatchObject({ co2Ppm: null, pm25UgM3: 33 });
    expect(decoded?.flags.filter((f) => f.startsWith('co2'))).toEqual([]);
  });
});
