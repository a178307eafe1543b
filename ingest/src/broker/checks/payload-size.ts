import type { PublishCheck } from './context.ts';
import { PASS, refusal } from './verdict.ts';

/** Bytes of a refused oversized payload kept in its dead letter. */
export const DEAD_LETTER_KEEP_BYTES = 4096;

/**
 * Our rule: payloads up to `maxPayloadBytes` (MQTT 3.1.1 §2.2.3 allows 256 MB; a reading
 * or a batch is a few KB). The dead letter keeps only the head of a refused one.
 */
export function payloadWithinLimit(maxPayloadBytes: number): PublishCheck {
  return ({ payload }) =>
    payload.length <= maxPayloadBytes
      ? PASS
      : refusal(
          'payload-too-large',
          `payload is ${payload.length} bytes; the limit is ${maxPayloadBytes} (first ${DEAD_LETTER_KEEP_BYTES} bytes kept)`,
          payload.subarray(0, DEAD_LETTER_KEEP_BYTES),
        );
}
