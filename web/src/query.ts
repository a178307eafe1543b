import { z } from 'zod';
import { isValidDeviceId } from '@airbox/protocol';
import { bboxProblem, type BBox } from './bbox.ts';
import { quoteInput } from './errors.ts';

/**
 * One schema per outside shape: the query strings and path parameters of the API. The
 * OpenAPI document is generated from these (`z.toJSONSchema`), so the two cannot drift.
 */

export const MAX_DEVICES_PER_REQUEST = 1000;

export const deviceId = z.string().refine(isValidDeviceId, {
  error: (iss) =>
    `${quoteInput(iss.input)} is not a device id (1–64 letters, digits, '_', '-', '.' or ':')`,
});

export const isoTime = z.iso
  .datetime({
    offset: true,
    error: (iss) =>
      `${quoteInput(iss.input)} is not an ISO 8601 time with a zone, e.g. 2026-11-27T08:00:00Z`,
  })
  .transform((s) => Date.parse(s));

export const deviceList = z
  .string()
  .min(1)
  .transform((s) => [...new Set(s.split(',').filter(Boolean))])
  .pipe(
    z
      .array(deviceId)
      .min(1, { error: 'names no device' })
      .max(MAX_DEVICES_PER_REQUEST, {
        error: `at most ${MAX_DEVICES_PER_REQUEST} devices per request; use bbox for an area`,
      }),
  );

export const bbox = z.string().transform((s, ctx): BBox => {
  const values = s.split(',').map((v) => (v.trim() === '' ? Number.NaN : Number(v)));
  const problem = bboxProblem(values);
  if (problem !== null) {
    ctx.issues.push({ code: 'custom', input: s, message: `${quoteInput(s)}: ${problem}` });
    return z.NEVER;
  }
  const [west = 0, south = 0, east = 0, north = 0] = values;
  return { west, south, east, north };
});

const kind = z.enum(['box', 'reference']);

const DEVICE_DOC = 'comma-separated device ids, e.g. `74DA38F207DE,EPA-Hengchun`';
const BBOX_DOC =
  'west,south,east,north in degrees (WGS 84); west > east crosses the antimeridian (RFC 7946 §5.2)';

export const LatestQuerySchema = z.object({
  device: deviceList.optional().describe(DEVICE_DOC),
  kind: kind.optional().describe('only boxes or only reference stations'),
  bbox: bbox.optional().describe(`${BBOX_DOC}; devices whose newest position is inside`),
});

export const DevicesQuerySchema = z.object({
  kind: kind.optional().describe('only boxes or only reference stations'),
  bbox: bbox.optional().describe(`${BBOX_DOC}; devices whose newest position is inside`),
});

export const DeviceParamsSchema = z.object({
  id: deviceId.describe('the device id'),
});

/** A page of dead letters is bounded: a listing never holds a whole table. */
export const MAX_DEAD_LETTERS_PER_PAGE = 500;

export const DeadLetterQuerySchema = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_DEAD_LETTERS_PER_PAGE)
    .default(100)
    .describe(`at most N, newest first (${MAX_DEAD_LETTERS_PER_PAGE} at most)`),
  before: z.coerce
    .number()
    .int()
    .optional()
    .describe('the `next` of the page before: only the letters listed after it'),
  since: isoTime.optional().describe('only messages received at or after this time'),
});

export const SurfaceQuerySchema = z.object({
  method: z.enum(['idw', 'kriging']).default('idw').describe('interpolation method'),
  bbox: bbox.optional().describe(`${BBOX_DOC}; default: around the boxes that reported`),
  // Bounded: the cost of a surface grows with its cells, and this is a public endpoint.
  size: z.coerce
    .number()
    .int()
    .min(2)
    .max(1024)
    .optional()
    .describe('grid cells along the longer side; default: the surface module’s'),
});
export type SurfaceQuery = z.output<typeof SurfaceQuerySchema>;

export const LiveQuerySchema = z.object({
  device: deviceList.optional().describe(`follow only these devices; ${DEVICE_DOC}`),
  bbox: bbox.optional().describe(`follow only readings positioned inside; ${BBOX_DOC}`),
  since: isoTime
    .optional()
    .describe('re-sync after a reconnect: readings with a time at or after this come first'),
});
export type LiveQuery = z.output<typeof LiveQuerySchema>;
