import { decodeMessage } from '@airbox/protocol';
import { carriesReadings, type PublishCheck } from './context.ts';
import { PASS, refusal } from './verdict.ts';

/**
 * Our rule: reference-station readings are what calibration trusts, so only service
 * accounts (the reference feed) may publish them; a box claiming one is refused.
 */
export const noForgedReference: PublishCheck = ({
  who,
  client,
  topic,
  parsed,
  payload,
  receivedAtMs,
}) =>
  who.role !== 'service' && carriesReadings(parsed) && claimsReference(topic, payload, receivedAtMs)
    ? refusal(
        'not-authorized',
        `${client.id} may not publish reference-station readings: only service accounts may`,
      )
    : PASS;

/**
 * Does this payload carry a reference-station reading (native `"kind":"reference"`, LASS
 * `app=EPA_COPY`)? A substring test first keeps the full decode off the common path.
 */
function claimsReference(topic: string, payload: Buffer, nowMs: number): boolean {
  const text = payload.toString('latin1');
  if (!text.includes('reference') && !text.includes('EPA_COPY')) return false;
  const decoded = decodeMessage(topic, payload, { nowMs });
  return decoded.ok && decoded.readings.some((r) => r.kind === 'reference');
}
