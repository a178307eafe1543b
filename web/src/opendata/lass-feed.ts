import type { HealthStatus, StoredReading } from '@airbox/contracts';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ifNoneMatchHits, latestEtag } from '../etag.ts';
import { ApiError } from '../errors.ts';
import { getRoute, type RouteContext } from '../routes/define.ts';
import { attribution } from './terms.ts';

/**
 * LASS-compatible live feeds (issue 18): /opendata/last-all-airbox.json and one per LASS
 * `app` (last-all-<app>.json), in the shape pm25.lass-net.org publishes, so the maps, school
 * projects and scripts written for LASS read this network unchanged. Built from the public
 * view of the store (no private box; positions as the owner allows), the newest reading of
 * each box heard from within the last hour.
 */

/** What LASS calls the feed of boxes whose reading names no app: this network's own boxes. */
export const DEFAULT_APP = 'AirBox';
const RECENT_MS = 3_600_000;

const FeedParams = z.object({
  app: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, 'an app name: letters, digits, _ or -')
    .describe('a LASS app, e.g. airbox, MAPS, LASS (case does not matter)'),
});

/** One record of `feeds`, with LASS's keys and types (numbers as numbers, times in UTC). */
export type LassFeed = Record<string, string | number>;

/** LASS's keys of the measures (ver_format 3): s_d0 is PM2.5, s_d1 PM10, s_d2 PM1. */
const MEASURE_KEYS = [
  ['s_d0', 'pm25UgM3'],
  ['s_d1', 'pm10UgM3'],
  ['s_d2', 'pm1UgM3'],
  ['s_t0', 'temperatureC'],
  ['s_h0', 'humidityPct'],
] as const;

/**
 * LASS's `adf_status` (its anomaly-detection framework's verdict, "0" for a normal box) from
 * our health: "0" ok, "1" suspect, "2" faulty; left out while a box is not judged.
 */
const ADF_STATUS: Partial<Record<HealthStatus, string>> = { ok: '0', suspect: '1', faulty: '2' };

export function lassFeed(
  r: StoredReading,
  siteName: string | null,
  health: HealthStatus = 'unknown',
): LassFeed {
  const feed: LassFeed = { device_id: r.deviceId, app: r.app ?? DEFAULT_APP };
  for (const [key, field] of MEASURE_KEYS) {
    const v = r[field];
    if (v !== null && v !== undefined) feed[key] = v;
  }
  if (r.lat !== null && r.lon !== null) {
    feed.gps_lat = r.lat;
    feed.gps_lon = r.lon;
  }
  const iso = new Date(r.time).toISOString();
  feed.timestamp = `${iso.slice(0, 19)}Z`;
  feed.date = iso.slice(0, 10);
  feed.time = iso.slice(11, 19);
  if (r.firmware !== null) feed.fw_ver = r.firmware;
  if (siteName !== null) feed.SiteName = siteName;
  if (r.pm25CalibratedUgM3 !== undefined && r.pm25CalibratedUgM3 !== null) {
    feed.c_d0 = Math.round(r.pm25CalibratedUgM3 * 100) / 100;
    feed.c_d0_method = r.calibrationModel ?? 'unknown';
  }
  const adf = ADF_STATUS[health];
  if (adf !== undefined) feed.adf_status = adf;
  return feed;
}

export function lassFeedRoute(ctx: RouteContext): void {
  const { store, now, deviceName, openData, boxHealth } = ctx.options;
  getRoute(
    ctx,
    {
      url: '/opendata/last-all-:app.json',
      tag: 'open data',
      summary: 'the newest reading of each public box, in the shape of LASS’s last-all feeds',
      description: `The network's licence in \`license\` (its URL) and \`attribution\`, and the same keys and types as pm25.lass-net.org's \`last-all-airbox.json\`: \`source\`, \`version\` (when made), \`num_of_records\`, \`descriptions\` and \`feeds\`, each with \`device_id\`, \`s_d0\` (PM2.5 µg/m³), \`s_d1\` (PM10), \`s_d2\` (PM1), \`s_t0\` (°C), \`s_h0\` (% RH), \`gps_lat\`, \`gps_lon\`, \`timestamp\`, \`date\` and \`time\` (UTC), \`app\`, \`fw_ver\`, \`SiteName\` (the box's name), and \`c_d0\` with \`c_d0_method\` (our calibrated PM2.5 and the model that made it). Boxes heard from in the last hour; public boxes only, positions as on the map. \`last-all-airbox.json\` has the boxes whose readings name no other LASS app (this network's own, app \`${DEFAULT_APP}\`); \`last-all-<app>.json\` those of another app.`,
      params: FeedParams,
      responses: {
        200: { description: 'the feed', media: ['application/json'] },
        404: { description: 'no box of that app was heard from in the last hour' },
      },
    },
    async ({ params }, req, reply) => {
      const app = params.app.toLowerCase();
      const since = now() - RECENT_MS;
      const readings = (await store.latest({ kind: 'box' })).filter(
        (r) => (r.app ?? DEFAULT_APP).toLowerCase() === app && Date.parse(r.time) >= since,
      );
      if (readings.length === 0 && app !== DEFAULT_APP.toLowerCase()) {
        throw new ApiError(
          404,
          'not-found',
          `no box of app "${params.app}" was heard from in the last hour`,
        );
      }
      const health = boxHealth?.();
      const etag = `${latestEtag(readings).slice(0, -1)}-h${health?.version ?? 0}"`;
      void reply.header('ETag', etag).header('Cache-Control', 'public, max-age=60');
      if (ifNoneMatchHits(req.headers['if-none-match'], etag)) return reply.code(304).send();
      return {
        source: `last-all-${app} by AirBox (${req.hostname})`,
        version: new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        num_of_records: readings.length,
        descriptions: {
          URL: '/api/v1/openapi.json',
          c_d0: 'calibration PM2.5 (ug/m3)',
          c_d0_method: 'the calibration model (GET /api/v1/calibration/models)',
          adf_status:
            "the box's health: 0 ok, 1 suspect, 2 faulty (GET /api/v1/devices/ID says why); absent: not judged yet",
        },
        license: openData.license.url,
        attribution: attribution(openData, baseUrl(req)),
        feeds: readings.map((r) =>
          lassFeed(r, deviceName?.(r.deviceId) ?? null, health?.byDevice.get(r.deviceId)?.status),
        ),
      };
    },
  );
}

/** This server as the client reached it (behind a proxy: as --trust-proxy lets it say). */
export function baseUrl(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}`;
}
