import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { ReadingStore } from '@airbox/store';
import { inBBox } from '../bbox.ts';
import { SeriesResponseDoc } from '../schemas.ts';
import { seriesCsv, seriesFileName } from '../series/csv-stream.ts';
import { rawSeriesJson } from '../series/raw-json.ts';
import { collectSeries, type SeriesPlan } from '../series/source.ts';
import {
  checkSeriesRange,
  MAX_RANGE_DAYS,
  SeriesQuerySchema,
  type SeriesQuery,
} from '../series-query.ts';
import { unknownDevices } from './devices.ts';
import { getRoute, type RouteContext } from './define.ts';

/** Byte order of ASCII ids, the order the store returns devices in. */
function sortedIds(ids: Iterable<string>): string[] {
  return [...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The devices a query names: the listed ids, every one of which must have readings (404
 * naming those that have none), or those whose newest position is inside the bbox.
 */
async function seriesDevices(store: ReadingStore, q: SeriesQuery): Promise<string[]> {
  if (q.device !== undefined) {
    const known = new Set((await store.latest({ deviceIds: q.device })).map((r) => r.deviceId));
    const missing = q.device.filter((id) => !known.has(id));
    if (missing.length > 0) throw unknownDevices('device', missing);
    return sortedIds(q.device);
  }
  const box = q.bbox;
  if (box === undefined) return [];
  const inside = (await store.latest()).filter((r) => inBBox(box, r.lat, r.lon));
  return sortedIds(inside.map((r) => r.deviceId));
}

const DESCRIPTION = `Rows are ordered by device id, then time. Ranges are [from, to).

- \`agg=raw\`: the stored readings (at most ${MAX_RANGE_DAYS.raw} days per request).
- \`agg=1h\`: the hourly roll-up, UTC hours, means of the readings that had each value; a value flagged \`<measure>-out-of-range\` is in the raw readings as sent but in no mean (at most ${MAX_RANGE_DAYS['1h']} days).
- \`agg=1d\`: days built from the hourly roll-up, each hour's mean weighted by its reading count, so a day's mean is the mean of its readings. Days are UTC calendar days unless \`tz\` names a zone (e.g. \`Asia/Taipei\`); an hour counts for the day it starts in. Days at the edges of [from, to) hold only their hours inside it (at most ${MAX_RANGE_DAYS['1d']} days).

\`device\` names devices (an id with no stored reading is a 404 naming it); \`bbox\` takes every device whose newest position is inside (none inside: an empty answer).

\`format=csv\` streams the rows as they are read (one device-window at a time), with no row ceiling; the columns are the JSON field names, flags joined by \`;\`. A JSON answer is one document and holds at most a configured number of rows (\`too-many-rows\` beyond it).`;

/** /api/v1/series: one or many devices, raw | 1h | 1d, JSON or streamed CSV. */
export function seriesRoutes(ctx: RouteContext): void {
  getRoute(
    ctx,
    {
      url: '/api/v1/series',
      tag: 'readings',
      summary: 'readings, hourly or daily means of devices over a time range',
      description: DESCRIPTION,
      query: SeriesQuerySchema,
      responses: {
        200: {
          description: 'the series',
          json: SeriesResponseDoc,
          media: ['text/csv'],
          headers: { 'Content-Disposition': 'CSV only: attachment; filename="airbox-….csv"' },
        },
        404: { description: 'a listed device has no stored reading (`unknown-device`)' },
      },
    },
    async ({ query }, _req, reply) => {
      checkSeriesRange(query);
      const plan: SeriesPlan = {
        deviceIds: await seriesDevices(ctx.options.store, query),
        fromMs: query.from,
        toMs: query.to,
        agg: query.agg,
        tz: query.tz,
      };
      return query.format === 'csv'
        ? csvAnswer(ctx, plan, reply)
        : jsonAnswer(ctx, query, plan, reply);
    },
  );
}

/** CSV, streamed as the store is read: no row ceiling. */
function csvAnswer(ctx: RouteContext, plan: SeriesPlan, reply: FastifyReply) {
  const chunks = seriesCsv(ctx.options.store, plan, (n) => (ctx.stats.csvRows += n));
  return reply
    .type('text/csv; charset=utf-8')
    .header('Content-Disposition', `attachment; filename="${seriesFileName(plan)}"`)
    .send(Readable.from(chunks));
}

/** One JSON document of at most `maxJsonRows` rows. */
async function jsonAnswer(
  ctx: RouteContext,
  query: SeriesQuery,
  plan: SeriesPlan,
  reply: FastifyReply,
) {
  const { store, maxJsonRows } = ctx.options;
  const head = {
    from: new Date(query.from).toISOString(),
    to: new Date(query.to).toISOString(),
    devices: plan.deviceIds,
  };
  const { agg } = query;
  if (agg === 'raw') {
    // Written as bytes from the store's rows: the same text as returning the readings
    // for Fastify to serialise, a quarter of the time (`airbox bench api`, 20 M rows:
    // p50 21 -> 5-7 ms, 2 vCPU). The length is known, so the answer keeps its
    // Content-Length (no chunked encoding).
    const body = await rawSeriesJson(store, plan, { agg, ...head }, maxJsonRows);
    return reply
      .type('application/json; charset=utf-8')
      .header('Content-Length', body.byteLength)
      .send(Readable.from(body.chunks));
  }
  const rows = await collectSeries(store, { ...plan, agg }, maxJsonRows);
  return agg === '1d' ? { agg, ...head, tz: query.tz, rows } : { agg, ...head, rows };
}
