import { join } from 'node:path';
import {
  openInfluxStore,
  openSqliteStore,
  parseInfluxConfig,
  type ReadingStore,
} from '@airbox/store';
import { positiveNumber } from './args.ts';
import { UsageError } from './io.ts';

/** The flags that pick and configure the store, shared by serve, worker and dead-letters. */
export const STORE_OPTIONS = {
  store: { type: 'string' },
  'retention-days': { type: 'string' },
  'influx-url': { type: 'string' },
  'influx-mode': { type: 'string' },
  'influx-db': { type: 'string' },
  'influx-rp': { type: 'string' },
  'influx-user': { type: 'string' },
  'influx-org': { type: 'string' },
  'influx-bucket': { type: 'string' },
} as const;

export const STORE_USAGE = `store:
  --store sqlite|influxdb  where readings go (default sqlite, in the data dir)
  --retention-days N       sqlite: delete raw readings older than N days (hourly roll-ups stay)
  --influx-url URL         influxdb: e.g. http://127.0.0.1:8086
  --influx-mode v1|v2      v2 (default): /api/v2/write with --influx-org, --influx-bucket and
                           the token in AIRBOX_INFLUX_TOKEN; v1: InfluxDB 1.x /write with
                           --influx-db [--influx-rp] [--influx-user, password in AIRBOX_INFLUX_PASSWORD]
  While InfluxDB is unreachable, readings are parked in <data-dir>/influx-spill and replayed.`;

/** The store flags' values, as parsed (every one a string). */
export type StoreValues = { [K in keyof typeof STORE_OPTIONS]?: string };

/** Only the store flags of a command's values: what another thread needs to open the store. */
export function storeValues(v: StoreValues): Record<string, string> {
  const set = Object.entries(v).filter(
    (e): e is [string, string] => e[0] in STORE_OPTIONS && typeof e[1] === 'string',
  );
  return Object.fromEntries(set);
}

/**
 * Opens the store the flags name. `spillDir` replaces InfluxDB's spill directory: a second
 * client of the same server (a task thread that only reads) must not replay the spill files
 * of the process's own client, or points could be sent twice.
 */
export async function openStore(
  v: StoreValues,
  dataDir: string,
  env = process.env,
  o: { spillDir?: string } = {},
): Promise<ReadingStore> {
  const kind = v.store ?? 'sqlite';
  if (kind === 'sqlite') {
    const retentionDays =
      v['retention-days'] === undefined
        ? undefined
        : positiveNumber('retention-days', v['retention-days'], 0);
    return openSqliteStore({ path: join(dataDir, 'readings.db'), retentionDays });
  }
  if (kind !== 'influxdb')
    throw new UsageError(`--store must be sqlite or influxdb, got '${kind}'`);
  if (v['influx-url'] === undefined) throw new UsageError('--store influxdb needs --influx-url');
  const mode = v['influx-mode'] ?? 'v2';
  const common = { url: v['influx-url'], spillDir: o.spillDir ?? join(dataDir, 'influx-spill') };
  const raw =
    mode === 'v1'
      ? {
          ...common,
          mode,
          database: v['influx-db'] ?? 'airbox',
          retentionPolicy: v['influx-rp'],
          username: v['influx-user'],
          password: env['AIRBOX_INFLUX_PASSWORD'],
          createDatabase: true,
        }
      : {
          ...common,
          mode,
          org: v['influx-org'],
          bucket: v['influx-bucket'],
          token: env['AIRBOX_INFLUX_TOKEN'],
        };
  try {
    return await openInfluxStore(parseInfluxConfig(raw));
  } catch (e) {
    // The config check lists every bad field; say which flags they come from.
    throw new UsageError(`InfluxDB store: ${(e as Error).message}`);
  }
}
