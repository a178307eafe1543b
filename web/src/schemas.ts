import {
  DEAD_LETTER_CODES,
  FLAG_CODES,
  FORMATS,
  MEASURES,
  measureRecord,
  RAW_OUTCOMES,
  rollupMeans,
  rollupRecord,
  type DeadLetterCode,
  type DeadLetterDropReport,
  type SequencedRawMessage,
  type StoredReading,
} from '@airbox/contracts';
import { z } from 'zod';
import type { HourlyRow } from '@airbox/store';
import type { DailyRow } from './series/daily.ts';
import { docSchemas } from './doc-registry.ts';
import { confidenceDoc, HealthDoc } from './health-doc.ts';

/**
 * Response shapes, for the OpenAPI document. Each is registered under the name it gets in
 * `components.schemas`. Where the shape is a type owned elsewhere, a compile-time check
 * below fails `tsc` if the two drift apart.
 */
export { docSchemas };

const time = z.iso.datetime();
const num = z.number().nullable();
const text = z.string().nullable();

export const ReadingDoc = z
  .object({
    deviceId: z.string(),
    time,
    receivedAt: time,
    deviceTime: z.string().optional(),
    lat: num,
    lon: num,
    ...measureRecord(MEASURES, () => num),
    format: z.enum(FORMATS),
    app: text,
    firmware: text,
    flags: z.array(z.enum(FLAG_CODES)),
    kind: z.enum(['box', 'reference']),
    pm25CalibratedUgM3: num.optional(),
    calibrationModel: text.optional(),
  })
  .register(docSchemas, { id: 'Reading' });

const indoorDescription =
  'the box is registered as indoors (`airbox device set ID --indoor`): it measures a room, not the street. The map hides indoor boxes by default and the surface leaves them out. Its position is told on a 0.001° grid (~100 m) on every route, never as the box sent it. Always false for reference stations.';

/** A device's newest reading, with where the box stands (the device registry's placement). */
export const PlacedReadingDoc = ReadingDoc.extend({
  indoor: z.boolean().describe(indoorDescription),
  confidence: confidenceDoc,
}).register(docSchemas, { id: 'PlacedReading' });

/** The roll-up means, in their column order. */
const measures = rollupRecord(rollupMeans(MEASURES), () => num);

export const HourlyRowDoc = z
  .object({ deviceId: z.string(), hour: time, count: z.number().int(), ...measures })
  .register(docSchemas, { id: 'HourlyRow' });

export const DailyRowDoc = z
  .object({
    deviceId: z.string(),
    day: z.iso.date(),
    hours: z.number().int(),
    count: z.number().int(),
    ...measures,
  })
  .register(docSchemas, { id: 'DailyRow' });

export const DeviceDoc = z
  .object({
    deviceId: z.string(),
    kind: z.enum(['box', 'reference']),
    lat: num,
    lon: num,
    lastReadingTime: time,
    lastSeen: time.describe('when the newest reading arrived (receivedAt)'),
    online: z.boolean().describe('the newest reading arrived within the online window'),
    format: z.enum(FORMATS),
    app: text,
    firmware: text,
    flags: z.array(z.enum(FLAG_CODES)).describe('QC flags of the newest reading'),
    indoor: z.boolean().describe(indoorDescription),
    health: HealthDoc,
  })
  .register(docSchemas, { id: 'Device' });
export type DeviceSummary = z.output<typeof DeviceDoc>;

export const StationDoc = z
  .object({
    deviceId: z.string().describe('`EPA-<nameEn>`, as LASS names MOENV stations'),
    siteId: z.string(),
    nameZh: z.string(),
    nameEn: z.string(),
    county: z.string(),
    siteType: z.string(),
    lat: z.number(),
    lon: z.number(),
    latest: ReadingDoc.nullable(),
  })
  .register(docSchemas, { id: 'Station' });
export type StationView = z.output<typeof StationDoc>;

/** The closed list of codes (contracts' DEAD_LETTER_CODES), each with its meaning. */
const deadLetterCode = z
  .enum(Object.keys(DEAD_LETTER_CODES) as [DeadLetterCode, ...DeadLetterCode[]])
  .describe(
    'the refusal or dead-letter code:\n' +
      Object.entries(DEAD_LETTER_CODES)
        .map(([code, meaning]) => `- \`${code}\`: ${meaning}`)
        .join('\n'),
  );

/** How much of a payload a dead-letter listing shows; payloadBytes tells the rest. */
export const DEAD_LETTER_PREVIEW_BYTES = 1024;

export const DeadLetterDoc = z
  .object({
    id: z.number().int().nullable().describe('the last one of a page is the next page’s `before`'),
    receivedAt: time,
    topic: z.string(),
    clientId: text.describe('MQTT client id of the publisher, where known'),
    deviceId: text.describe('the box it belongs to, whose owner may read it; null: operators only'),
    code: deadLetterCode,
    reason: z.string(),
    payload: z.string().describe(`the payload's first ${DEAD_LETTER_PREVIEW_BYTES} bytes, base64`),
    payloadText: z.string().describe('the same bytes as UTF-8 text'),
    payloadBytes: z.number().int().describe('the whole payload’s size in bytes'),
    truncated: z.boolean().describe('the payload is longer than the preview'),
  })
  .register(docSchemas, { id: 'DeadLetter' });
export type DeadLetterView = z.output<typeof DeadLetterDoc>;

export const DeadLetterPageDoc = z
  .object({
    deadLetters: z.array(DeadLetterDoc).describe('newest first'),
    next: z
      .number()
      .int()
      .nullable()
      .describe('pass as `before` for the next page; null when this page is the last'),
  })
  .register(docSchemas, { id: 'DeadLetterPage' });

const clientUsage = z.object({
  clientId: text.describe('null: no client id, or one of the clients beyond those tracked'),
  keptLetters: z.number().int(),
  keptBytes: z.number().int(),
  droppedLetters: z.number().int(),
  droppedBytes: z.number().int(),
});

export const DeadLetterDropsDoc = z
  .object({
    hourStart: time.describe('the UTC hour the per-client figures count'),
    bytesPerClientPerHour: z.number().int(),
    lettersPerS: z.number(),
    keptTotal: z.number().int(),
    droppedOverBudgetTotal: z.number().int(),
    droppedOverRateTotal: z.number().int(),
    clients: z.array(clientUsage).describe('most dropped first; at most 100'),
  })
  .register(docSchemas, { id: 'DeadLetterDrops' });

export const ErrorDoc = z
  .object({
    error: z.object({
      code: z.string().describe('stable code, e.g. bad-query, unknown-device, rate-limited'),
      message: z.string().describe('names the parameter and the problem'),
    }),
  })
  .register(docSchemas, { id: 'Error' });

const range = { from: time, to: time, devices: z.array(z.string()) };
export const SeriesResponseDoc = z
  .discriminatedUnion('agg', [
    z.object({ agg: z.literal('raw'), ...range, readings: z.array(ReadingDoc) }),
    z.object({ agg: z.literal('1h'), ...range, rows: z.array(HourlyRowDoc) }),
    z.object({ agg: z.literal('1d'), ...range, tz: z.string(), rows: z.array(DailyRowDoc) }),
  ])
  .register(docSchemas, { id: 'SeriesResponse' });

// The live stream's readings carry `indoor` like the newest readings do (routes/live.ts adds
// it as they are sent); optional here because the session that builds them does not.
const LiveReadingDoc = ReadingDoc.extend({
  indoor: z.boolean().optional().describe(indoorDescription),
});

export const LiveMessageDoc = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('snapshot'), readings: z.array(LiveReadingDoc) }),
    z.object({
      type: z.literal('resync'),
      from: time,
      to: time,
      truncated: z.boolean().describe('more was stored than the re-sync bound; use /series'),
      readings: z.array(LiveReadingDoc),
    }),
    z.object({ type: z.literal('readings'), readings: z.array(LiveReadingDoc) }),
  ])
  .register(docSchemas, { id: 'LiveMessage' });
export type LiveMessage = z.output<typeof LiveMessageDoc>;

export const RawMessageDoc = z
  .object({
    seq: z
      .number()
      .int()
      .describe(
        'grows with each message this server sees; the SSE `id`, sent back as Last-Event-ID',
      ),
    deviceId: z
      .string()
      .describe('the box: its login, else the device its topic or LASS payload names'),
    topic: z.string(),
    clientId: z.string(),
    receivedAt: time,
    bytes: z.number().int().describe('payload size'),
    text: z.string().describe('the payload as UTF-8 text, its first 2,048 bytes'),
    truncated: z.boolean().describe('the payload was longer than `text`'),
    will: z
      .literal(true)
      .optional()
      .describe("the box's last will, published by the broker when its connection was lost"),
    outcome: z
      .enum(RAW_OUTCOMES)
      .describe(
        'stored (before the PUBACK), queued (to the workers), accepted (not a reading, or left to MQTT workers), dead-letter (undecodable), refused (by the broker), unacknowledged (the store or stream failed; the box resends)',
      ),
    code: deadLetterCode.optional(),
    reason: z.string().optional(),
    readings: z.number().int().optional().describe('readings newly stored from it'),
    duplicates: z.number().int().optional().describe('readings the store already had'),
  })
  .register(docSchemas, { id: 'RawMessage' });

// Compile-time: the documented shapes are exactly the stored types.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type DocsMatchTypes = [
  Assert<Same<z.output<typeof ReadingDoc>, StoredReading>>,
  Assert<Same<Omit<z.output<typeof PlacedReadingDoc>, 'indoor' | 'confidence'>, StoredReading>>,
  Assert<Same<z.output<typeof HourlyRowDoc>, HourlyRow>>,
  Assert<Same<z.output<typeof DailyRowDoc>, DailyRow>>,
  Assert<Same<z.output<typeof RawMessageDoc>, SequencedRawMessage>>,
  Assert<Same<z.output<typeof DeadLetterDropsDoc>, DeadLetterDropReport>>,
];
