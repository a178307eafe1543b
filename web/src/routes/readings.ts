import { readingConfidence } from '@airbox/contracts';
import { z } from 'zod';
import { inBBox } from '../bbox.ts';
import { ifNoneMatchHits, latestEtag } from '../etag.ts';
import { LatestQuerySchema } from '../query.ts';
import { etagWithPlacement, withIndoor } from '../placement.ts';
import { docSchemas, PlacedReadingDoc } from '../schemas.ts';
import { getRoute, type RouteContext } from './define.ts';

const LatestResponse = z
  .object({ readings: z.array(PlacedReadingDoc) })
  .register(docSchemas, { id: 'LatestResponse' });

/** /api/v1/readings/latest (with ETag); the dead letters are in dead-letters.ts. */
export function readingRoutes(ctx: RouteContext): void {
  latestRoute(ctx);
}

function latestRoute(ctx: RouteContext): void {
  const { store, indoorDevices, boxHealth } = ctx.options;
  getRoute(
    ctx,
    {
      url: '/api/v1/readings/latest',
      tag: 'readings',
      summary: 'the newest reading of each device',
      description:
        "Carries a weak ETag (newest arrival time + count, and the boxes placed indoors); send it back in If-None-Match to get 304 while nothing changed. Ordered by device id. Each reading says whether its box is `indoor`, and how far to trust it (`confidence`, from its box's health).",
      query: LatestQuerySchema,
      responses: {
        200: {
          description: 'the readings',
          json: LatestResponse,
          headers: { ETag: 'weak validator of this answer', 'Cache-Control': 'no-cache' },
        },
        304: { description: 'unchanged since the ETag in If-None-Match' },
      },
    },
    async ({ query }, req, reply) => {
      const all = await store.latest({ deviceIds: query.device, kind: query.kind });
      const box = query.bbox;
      const inside = box === undefined ? all : all.filter((r) => inBBox(box, r.lat, r.lon));
      const health = boxHealth?.();
      const readings = withIndoor(inside, indoorDevices()).map((r) => ({
        ...r,
        confidence: readingConfidence(health?.byDevice.get(r.deviceId)?.confidence ?? null, r),
      }));
      // The health changes without a new reading: its version is part of the tag.
      const placed = etagWithPlacement(latestEtag(readings), readings);
      const etag = health === undefined ? placed : placed.replace(/"$/, `-h${health.version}"`);
      // no-cache: caches may keep it but must revalidate, which the ETag makes cheap.
      void reply.header('ETag', etag).header('Cache-Control', 'no-cache');
      if (ifNoneMatchHits(req.headers['if-none-match'], etag)) return reply.code(304).send();
      return { readings };
    },
  );
}
