/**
 * The app's calls to the public API, and the shapes of its answers (the maker page's own
 * calls are in maker-api.ts): a change of an API shape touches these two files only.
 * Answers are outside input: each is parsed with a zod schema (unknown fields dropped,
 * missing optional ones defaulted), and an error answer becomes an ApiClientError
 * (http.ts) carrying the API's stable code.
 *
 * Shapes follow web/src/schemas.ts (Reading, Device, Station, SeriesResponse, LiveMessage).
 */
import { HEALTH_STATUSES, MEASURES, measureRecord } from '@airbox/contracts';
import { z } from 'zod';
import { ApiClientError, enc, iso, q, request } from './http.ts';

const num = z
  .number()
  .nullable()
  .optional()
  .transform((v) => v ?? null);
const text = z
  .string()
  .nullable()
  .optional()
  .transform((v) => v ?? null);

export const ReadingSchema = z.object({
  deviceId: z.string(),
  time: z.string(),
  receivedAt: z.string().optional(),
  lat: num,
  lon: num,
  ...measureRecord(MEASURES, () => num),
  format: z.string().optional(),
  app: text,
  firmware: text,
  flags: z.array(z.string()).default([]),
  kind: z.enum(['box', 'reference']).default('box'),
  pm25CalibratedUgM3: num,
  calibrationModel: text,
  /**
   * The box is registered as indoors (`airbox device set ID --indoor`): the map hides it
   * unless "show indoor" is ticked. Sent with newest readings and on the live stream; absent
   * on series readings and from older servers, where the box counts as outdoors.
   */
  indoor: z.boolean().optional(),
  /**
   * How far to trust the reading, 0 … 1 (its box's health): sent with newest readings;
   * absent on the live stream and from older servers.
   */
  confidence: z.number().optional(),
});
export type Reading = z.output<typeof ReadingSchema>;

const ArchiveDaysSchema = z.object({
  days: z.array(
    z.object({
      day: z.string(),
      version: z.number(),
      rows: z.number(),
      devices: z.number(),
      manifest: z.string(),
    }),
  ),
});
export type ArchiveDay = z.output<typeof ArchiveDaysSchema>['days'][number];

const DatasetSchema = z.object({
  name: z.string(),
  license: z.string(),
  creditText: z.string(),
  publisher: z.object({ name: z.string() }),
});
export type Dataset = z.output<typeof DatasetSchema>;

export const DeviceSchema = z.object({
  deviceId: z.string(),
  kind: z.enum(['box', 'reference']),
  lat: num,
  lon: num,
  lastReadingTime: z.string(),
  lastSeen: z.string(),
  online: z.boolean(),
  format: z.string(),
  app: text,
  firmware: text,
  flags: z.array(z.string()),
  indoor: z.boolean().optional(),
  /** The box's health (issue 17); absent from older servers. */
  health: z
    .object({
      status: z.enum(HEALTH_STATUSES),
      confidence: z.number(),
      problems: z.array(z.object({ code: z.string(), since: z.string(), detail: z.string() })),
    })
    .optional(),
});
export type Device = z.output<typeof DeviceSchema>;

export const StationSchema = z.object({
  deviceId: z.string(),
  siteId: z.string(),
  nameZh: z.string(),
  nameEn: z.string(),
  county: z.string(),
  lat: z.number(),
  lon: z.number(),
  latest: ReadingSchema.nullable(),
});
export type Station = z.output<typeof StationSchema>;

export const HourlyRowSchema = z.object({
  deviceId: z.string(),
  hour: z.string(),
  count: z.number(),
  pm25UgM3: num,
  pm25CalibratedUgM3: num,
});
export type HourlyRow = z.output<typeof HourlyRowSchema>;

export const LiveMessageSchema = z.object({
  type: z.enum(['snapshot', 'resync', 'readings']),
  readings: z.array(ReadingSchema),
});
export type LiveMessage = z.output<typeof LiveMessageSchema>;

/**
 * The interpolated surface: rows north → south, columns west → east, null (or NaN, which
 * JSON cannot carry) where masked. bbox is [west, south, east, north].
 */
export const SurfaceSchema = z.object({
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  values: z.array(z.number().nullable()),
});
export type SurfaceGrid = z.output<typeof SurfaceSchema>;

const AppConfigSchema = z.object({
  mapStyleUrl: z.string().nullable().default(null),
  maker: z.boolean().default(false),
  /** Whether anyone may sign up here (`airbox serve --signup`). */
  signup: z.boolean().default(true),
  /** Whether this server mails reset links (`airbox serve --smtp-url`). */
  passwordReset: z.boolean().default(false),
});
export type AppConfig = z.output<typeof AppConfigSchema>;

const HealthSchema = z.object({
  ports: z
    .object({ mqtt: z.number().nullable().optional(), ws: z.number().nullable().optional() })
    .optional(),
});

export const api = {
  latest: async (kind?: 'box' | 'reference') =>
    (
      await request(
        `/api/v1/readings/latest?${q({ kind })}`,
        z.object({ readings: z.array(ReadingSchema) }),
      )
    ).readings,

  stations: async () =>
    (await request('/api/v1/stations', z.object({ stations: z.array(StationSchema) }))).stations,

  device: (id: string) =>
    request(
      `/api/v1/devices/${enc(id)}`,
      z.object({ device: DeviceSchema, latest: ReadingSchema }),
    ),

  devices: async () =>
    (await request('/api/v1/devices?kind=box', z.object({ devices: z.array(DeviceSchema) })))
      .devices,

  /** Raw readings of some devices in [fromMs, toMs). */
  rawSeries: async (deviceIds: string[], fromMs: number, toMs: number) =>
    (
      await request(
        `/api/v1/series?${q({ device: deviceIds.join(','), from: iso(fromMs), to: iso(toMs), agg: 'raw' })}`,
        z.object({ readings: z.array(ReadingSchema) }),
      )
    ).readings,

  /** Hourly means of some devices, or (bbox) of every device in an area. */
  hourlySeries: async (
    where: { device: string[] } | { bbox: readonly number[] },
    fromMs: number,
    toMs: number,
  ) =>
    (
      await request(
        `/api/v1/series?${q({
          ...('device' in where
            ? { device: where.device.join(',') }
            : { bbox: where.bbox.join(',') }),
          from: iso(fromMs),
          to: iso(toMs),
          agg: '1h',
        })}`,
        z.object({ rows: z.array(HourlyRowSchema) }),
      )
    ).rows,

  /** The URL a researcher downloads (CSV streams; JSON is one document). */
  seriesUrl: (params: Record<string, string | undefined>) => `/api/v1/series?${q(params)}`,

  surface: (bbox: readonly number[], size: number) =>
    request(`/api/v1/surface?${q({ bbox: bbox.join(','), size })}`, SurfaceSchema),

  models: async () =>
    (await request('/api/v1/calibration/models', z.object({ models: z.array(z.unknown()) })))
      .models,

  /** The days of the daily archive, newest first (404 where the server keeps none). */
  archiveDays: async () => (await request('/api/v1/archive/days', ArchiveDaysSchema)).days,

  /** The data set's licence and how to credit it (schema.org Dataset). */
  dataset: () => request('/opendata/dataset.jsonld', DatasetSchema),

  health: () => request('/healthz', HealthSchema),

  appConfig: () => request('/app/config.json', AppConfigSchema),

  /** The live stream's URL (WebSocket), following some devices, re-synced from `sinceIso`. */
  liveUrl: (deviceIds: string[] | undefined, sinceIso: string | undefined) => {
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
    const search = q({ device: deviceIds?.join(','), since: sinceIso });
    return `${scheme}://${window.location.host}/api/v1/live${search === '' ? '' : `?${search}`}`;
  },

  /** The newest readings for the polling fallback; null when unchanged since `etag`. */
  latestIfChanged: async (deviceIds: string[] | undefined, etag: string | null) => {
    const res = await fetch(`/api/v1/readings/latest?${q({ device: deviceIds?.join(',') })}`, {
      cache: 'no-store',
      headers: etag === null ? {} : { 'if-none-match': etag },
    });
    if (res.status === 304) return null;
    if (!res.ok)
      throw new ApiClientError(res.status, 'http', `latest readings: HTTP ${res.status}`);
    const body = z.object({ readings: z.array(ReadingSchema) }).parse(await res.json());
    return { readings: body.readings, etag: res.headers.get('etag') };
  },
};
