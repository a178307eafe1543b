import { z } from 'zod';
import { isValidDeviceId } from '@airbox/protocol';

/** One schema per outside shape: the query strings of the API. */

const isoTime = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));
const deviceList = z
  .string()
  .min(1)
  .transform((s) => s.split(',').filter(Boolean))
  .pipe(z.array(z.string().refine(isValidDeviceId, 'not a device id')).min(1).max(1000));

export const SeriesQuerySchema = z
  .object({
    device: deviceList,
    from: isoTime,
    to: isoTime,
    agg: z.enum(['raw', '1h']).default('raw'),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .refine((q) => q.from < q.to, { message: '`from` must be before `to`', path: ['from'] });

export const LatestQuerySchema = z.object({
  device: deviceList.optional(),
  kind: z.enum(['box', 'reference']).optional(),
});

export const DeadLetterQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(10_000).default(100),
  since: isoTime.optional(),
});

/** `from: Invalid ISO datetime; to: Required` — every problem, named by parameter. */
export function describeQueryError(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ');
}
