import { parseTopic, splitLass } from '@airbox/protocol';
import type { PublishAttempt, PublishContext } from './context.ts';
import { refusal, type Refusal } from './verdict.ts';

/**
 * Our rule, under MQTT 3.1.1 §3.3.5 (no negative PUBACK: refusing closes the connection,
 * [MQTT-3.3.5-2]): a PUBLISH is taken only from a client that authenticated on CONNECT.
 * Aedes authenticates before any PUBLISH, so this guards what should not happen; it comes
 * first because every other check needs to know who publishes.
 */
export function authenticated(attempt: PublishAttempt): PublishContext | Refusal {
  const { who } = attempt;
  if (who === undefined) return refusal('not-authorized', 'publisher is not authenticated');
  const parsed = parseTopic(attempt.topic);
  const lassDeviceId =
    parsed?.family === 'lass'
      ? splitLass(attempt.payload.toString('latin1'))?.get('device_id')
      : undefined;
  return { ...attempt, who, parsed, lassDeviceId };
}
