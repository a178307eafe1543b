import { z } from 'zod';
import { ApiError } from '../errors.ts';
import { SurfaceQuerySchema } from '../query.ts';
import { docSchemas } from '../schemas.ts';
import { getRoute, type RouteContext } from './define.ts';

const ModelsResponse = z
  .object({
    models: z
      .array(z.unknown())
      .describe("calibrate's model registry entries (id, kind, coefficients, validation)"),
  })
  .register(docSchemas, { id: 'ModelsResponse' });
const SurfaceResponse = z
  .unknown()
  .describe('the interpolated grid, as the surface module defines it')
  .register(docSchemas, { id: 'SurfaceResponse' });

/**
 * Routes whose data other modules provide through ApiOptions: calibration models (an empty
 * list until given) and the interpolated surface (404 `not-available` until given).
 */
export function extensionRoutes(ctx: RouteContext): void {
  const { models, surface } = ctx.options;

  getRoute(
    ctx,
    {
      url: '/api/v1/calibration/models',
      tag: 'calibration',
      summary: 'the calibration models, including the one applied to new readings',
      responses: { 200: { description: 'the models', json: ModelsResponse } },
    },
    async () => ({ models: (await models?.()) ?? [] }),
  );

  getRoute(
    ctx,
    {
      url: '/api/v1/surface',
      tag: 'surface',
      summary: 'interpolated PM2.5 surface over a bbox (IDW or kriging)',
      query: SurfaceQuerySchema,
      responses: {
        200: { description: 'the surface', json: SurfaceResponse },
        404: { description: 'this server has no surface module (`not-available`)' },
      },
    },
    async ({ query }) => {
      if (surface === undefined) {
        throw new ApiError(404, 'not-available', 'the interpolated surface is not served here');
      }
      return surface(query);
    },
  );
}
