import { readingConfidence, type BoxHealth, type StoredReading } from '@airbox/contracts';
import { z } from 'zod';
import { loadReferenceStations, stationDeviceId } from '@airbox/geo';
import { inBBox } from '../bbox.ts';
import { ApiError, quoteInput } from '../errors.ts';
import { healthOf } from '../health-doc.ts';
import { isIndoor } from '../placement.ts';
import { DeviceParamsSchema, DevicesQuerySchema } from '../query.ts';
import {
  DeviceDoc,
  docSchemas,
  PlacedReadingDoc,
  StationDoc,
  type DeviceSummary,
  type StationView,
} from '../schemas.ts';
import { getRoute, type RouteContext } from './define.ts';

const DevicesResponse = z
  .object({ devices: z.array(DeviceDoc) })
  .register(docSchemas, { id: 'DevicesResponse' });
const DeviceResponse = z
  .object({ device: DeviceDoc, latest: PlacedReadingDoc })
  .register(docSchemas, { id: 'DeviceResponse' });
const StationsResponse = z
  .object({ stations: z.array(StationDoc) })
  .register(docSchemas, { id: 'StationsResponse' });

/** What the map and the maker page show of a device, from its newest reading. */
export function deviceSummary(
  r: StoredReading,
  nowMs: number,
  onlineMs: number,
  indoor: boolean,
  health: BoxHealth,
): DeviceSummary {
  return {
    deviceId: r.deviceId,
    kind: r.kind,
    lat: r.lat,
    lon: r.lon,
    lastReadingTime: r.time,
    lastSeen: r.receivedAt,
    online: nowMs - Date.parse(r.receivedAt) <= onlineMs,
    format: r.format,
    app: r.app,
    firmware: r.firmware,
    flags: r.flags,
    indoor,
    health,
  };
}

export function unknownDevices(parameter: string, ids: readonly string[]): ApiError {
  const shown = ids.slice(0, 20).map(quoteInput).join(', ');
  const more = ids.length > 20 ? ` and ${ids.length - 20} more` : '';
  return new ApiError(
    404,
    'unknown-device',
    `${parameter}: no reading was ever stored for ${shown}${more}; /api/v1/devices lists the known ids`,
  );
}

/** /api/v1/devices, /api/v1/devices/:id and /api/v1/stations. */
export function deviceRoutes(ctx: RouteContext): void {
  devicesRoute(ctx);
  deviceRoute(ctx);
  stationsRoute(ctx);
}

function devicesRoute(ctx: RouteContext): void {
  const { store, now, onlineWindowMs, indoorDevices, boxHealth } = ctx.options;
  const onlineMinutes = Math.round(onlineWindowMs / 60_000);
  getRoute(
    ctx,
    {
      url: '/api/v1/devices',
      tag: 'devices',
      summary: 'every device that ever sent a reading, from its newest one',
      description: `\`online\`: the newest reading arrived within the last ${onlineMinutes} minutes. \`indoor\`: the box is registered as indoors. \`health\`: how far its values can be trusted (the problem codes and their meanings are in the Health schema). Ordered by device id.`,
      query: DevicesQuerySchema,
      responses: { 200: { description: 'the devices', json: DevicesResponse } },
    },
    async ({ query }) => {
      const nowMs = now();
      const latest = await store.latest({ kind: query.kind });
      const box = query.bbox;
      const inside = box === undefined ? latest : latest.filter((r) => inBBox(box, r.lat, r.lon));
      const indoorIds = indoorDevices();
      const health = boxHealth?.();
      return {
        devices: inside.map((r) =>
          deviceSummary(
            r,
            nowMs,
            onlineWindowMs,
            isIndoor(r, indoorIds),
            healthOf(health, r.deviceId),
          ),
        ),
      };
    },
  );
}

function deviceRoute(ctx: RouteContext): void {
  const { store, now, onlineWindowMs, indoorDevices, boxHealth } = ctx.options;
  getRoute(
    ctx,
    {
      url: '/api/v1/devices/:id',
      tag: 'devices',
      summary: 'one device and its newest reading',
      params: DeviceParamsSchema,
      responses: {
        200: { description: 'the device', json: DeviceResponse },
        404: { description: 'no reading was ever stored for this id (`unknown-device`)' },
      },
    },
    async ({ params }) => {
      const [latest] = await store.latest({ deviceIds: [params.id] });
      if (latest === undefined) throw unknownDevices('id', [params.id]);
      const indoor = isIndoor(latest, indoorDevices());
      const health = healthOf(boxHealth?.(), latest.deviceId);
      return {
        device: deviceSummary(latest, now(), onlineWindowMs, indoor, health),
        latest: { ...latest, indoor, confidence: readingConfidence(health.confidence, latest) },
      };
    },
  );
}

function stationsRoute(ctx: RouteContext): void {
  const { store } = ctx.options;
  const stations = ctx.options.stations ?? loadReferenceStations();
  getRoute(
    ctx,
    {
      url: '/api/v1/stations',
      tag: 'devices',
      summary: 'the bundled reference stations (MOENV), each with its newest reading if any',
      description:
        'A station’s readings are stored under `deviceId` = `EPA-<nameEn>`, the id LASS gives it in last-all-epa.json.',
      responses: { 200: { description: 'the stations', json: StationsResponse } },
    },
    async () => {
      const ids = stations.map(stationDeviceId);
      const latest = new Map(
        (await store.latest({ deviceIds: ids })).map((r) => [r.deviceId, r] as const),
      );
      const views: StationView[] = stations.map((s, i) => {
        const deviceId = ids[i] ?? stationDeviceId(s);
        return { deviceId, ...s, latest: latest.get(deviceId) ?? null };
      });
      return { stations: views };
    },
  );
}
