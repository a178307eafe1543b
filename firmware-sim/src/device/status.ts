/**
 * The retained JSON on `airbox/v1/<id>/status`, as a schema: the device builds it, and a
 * dashboard or test that reads it from the broker validates it (outside input there).
 */
import { z } from 'zod';
import { WIRE_FORMATS } from './config.ts';

export const DeviceStatusSchema = z.object({
  online: z.boolean(),
  deviceId: z.string(),
  firmware: z.string(),
  uptimeS: z.number(),
  /** Readings in the offline buffer, not yet acknowledged by the broker. */
  backlog: z.int(),
  /** Readings dropped (oldest first) because the offline buffer was full; never resets. */
  droppedReadings: z.int(),
  /** The last thing that went wrong (a refused config names its field), or null. */
  lastError: z.string().nullable(),
  format: z.enum(WIRE_FORMATS),
  intervalS: z.number(),
  samplesPerReport: z.number(),
  /** When this status was made (device clock, ISO 8601 UTC). */
  time: z.string(),
});
export type DeviceStatus = z.infer<typeof DeviceStatusSchema>;
