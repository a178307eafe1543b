import { RAW_TEXT_MAX_BYTES, type Outcome, type RawMessage } from '@airbox/contracts';
import { parseTopic, splitLass } from '@airbox/protocol';
import type { Principal } from './acl.ts';
import type { PublishAttempt } from './checks/context.ts';
import type { TappedMessage } from './raw-bus.ts';

/** What became of a PUBLISH, as a raw tail shows it. */
export type TapOutcome = Pick<
  RawMessage,
  'outcome' | 'code' | 'reason' | 'readings' | 'duplicates'
>;

/** The sink's answer: the embedded worker's Outcome, or nothing from the Redis stream. */
export function sinkOutcome(handled: Outcome | void): TapOutcome {
  if (handled === undefined) return { outcome: 'queued' };
  if (handled.status === 'stored') {
    return { outcome: 'stored', readings: handled.readings, duplicates: handled.duplicates };
  }
  return { outcome: 'dead-letter', code: handled.code, reason: handled.reason };
}

/** A PUBLISH and what became of it, as the raw tap hands it over. */
export function tappedMessage(
  attempt: PublishAttempt,
  will: boolean,
  result: TapOutcome,
): TappedMessage {
  const { who, client, topic, payload, receivedAtMs } = attempt;
  const shown = Math.min(payload.length, RAW_TEXT_MAX_BYTES);
  const message: TappedMessage = {
    deviceId: concernedDevice(who, client.id, topic, payload),
    topic,
    clientId: client.id,
    receivedAtMs,
    bytes: payload.length,
    text: payload.toString('utf8', 0, shown),
    truncated: shown < payload.length,
    ...result,
  };
  if (will) message.will = true;
  return message;
}

/**
 * Whose tail a message belongs in: a device's own login; otherwise (service accounts,
 * anonymous LASS boxes) the device its topic or its LASS `device_id` names, else the client.
 */
function concernedDevice(
  who: Principal | undefined,
  clientId: string,
  topic: string,
  payload: Buffer,
): string {
  if (who?.role === 'device') return who.deviceId;
  const parsed = parseTopic(topic);
  if (parsed?.deviceId !== undefined) return parsed.deviceId;
  if (parsed?.family === 'lass') {
    const named = splitLass(payload.toString('latin1', 0, RAW_TEXT_MAX_BYTES))?.get('device_id');
    if (named !== undefined && named !== '') return named;
  }
  return clientId;
}
