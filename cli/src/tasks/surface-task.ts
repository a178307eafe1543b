import { z } from 'zod';
import { surfaceOutcome } from '@airbox/web/surface-compute';
import { defineTask } from './define.ts';

// The query as the API parsed it (SurfaceQuerySchema's output), and the points it chose.
const SurfaceInput = z.object({
  points: z.array(z.object({ lat: z.number(), lon: z.number(), value: z.number() })),
  query: z.object({
    method: z.enum(['idw', 'kriging']),
    bbox: z
      .object({ west: z.number(), south: z.number(), east: z.number(), north: z.number() })
      .optional(),
    size: z.number().int().optional(),
  }),
});

/** One interpolated surface (/api/v1/surface), computed away from the API's event loop. */
export const surfaceTask = defineTask(
  (input) => SurfaceInput.parse(input),
  async ({ points, query }) => surfaceOutcome(points, query),
);
