import { z } from 'zod';
import { ApiError, quoteInput } from './errors.ts';
import { bbox, deviceList, isoTime } from './query.ts';

export const AGGREGATIONS = ['raw', '1h', '1d'] as const;
export type SeriesAggregation = (typeof AGGREGATIONS)[number];

const DAY_MS = 86_400_000;

/**
 * The longest [from, to) each aggregation answers. They bound one JSON document and the
 * work a single request can cause: 31 days of 1-minute readings is ~45k rows per device.
 * CSV has no row ceiling, but the same range limits (split a longer export into requests).
 */
export const MAX_RANGE_DAYS: Record<SeriesAggregation, number> = {
  raw: 31,
  '1h': 366,
  '1d': 3660,
};

function isTimeZone(tz: string): boolean {
  if (!/^[A-Za-z0-9_+\-/]{1,64}$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const timeZone = z.string().refine(isTimeZone, {
  error: (iss) => `${quoteInput(iss.input)} is not an IANA time zone, e.g. Asia/Taipei or UTC`,
});

export const SeriesQuerySchema = z
  .object({
    device: deviceList
      .optional()
      .describe('comma-separated device ids (give `device` or `bbox`, not both)'),
    bbox: bbox
      .optional()
      .describe('west,south,east,north: every device whose newest position is inside'),
    from: isoTime.describe('start, inclusive (ISO 8601 with zone)'),
    to: isoTime.describe('end, exclusive (ISO 8601 with zone)'),
    agg: z
      .enum(AGGREGATIONS)
      .default('raw')
      .describe(
        'raw readings; 1h = hourly means of the roll-up; 1d = daily means of the hourly roll-up weighted by each hour’s reading count',
      ),
    format: z
      .enum(['json', 'csv'])
      .default('json')
      .describe('json: one document; csv: streamed, no row ceiling'),
    tz: timeZone
      .default('UTC')
      .describe('agg=1d only: the zone whose calendar days are used, e.g. Asia/Taipei'),
  })
  .refine((q) => q.from < q.to, { message: '`from` must be before `to`', path: ['from'] })
  .refine((q) => (q.device === undefined) !== (q.bbox === undefined), {
    message: 'give either `device` (a list of ids) or `bbox` (an area), not both or neither',
    path: ['device'],
  });

export type SeriesQuery = z.output<typeof SeriesQuerySchema>;

/** Refuses a [from, to) longer than its aggregation allows, naming the limit. */
export function checkSeriesRange(q: SeriesQuery): void {
  const days = (q.to - q.from) / DAY_MS;
  const maxDays = MAX_RANGE_DAYS[q.agg];
  if (days > maxDays) {
    const suggestion =
      q.agg === '1d' ? 'split the request' : `use a coarser agg or split the request`;
    throw new ApiError(
      400,
      'range-too-large',
      `to: from…to spans ${Math.ceil(days)} days; agg=${q.agg} allows at most ${maxDays} days — ${suggestion}`,
    );
  }
}
