/**
 * Every code a message can be dead-lettered or refused with: a closed list, each with its
 * meaning. The broker, the worker, the store's dead letters, the maker page's raw tail and
 * the docs all read this one table; a code not listed here cannot be written.
 */

/** Why a decoder could not turn a payload into readings. */
export const DECODE_ERROR_CODES = {
  'empty-payload': 'The message has no payload.',
  'payload-too-large': 'The payload is larger than the configured limit.',
  'invalid-encoding': 'The payload is not UTF-8 text.',
  'not-a-reading': 'The topic carries status or config, not readings.',
  'not-lass': 'The payload is not a LASS `|key=value|…` line.',
  'unsupported-ver-format': 'The LASS ver_format is not 0, 1, 2 or 3.',
  'missing-device-id': 'The payload names no device.',
  'invalid-device-id':
    'The device id is empty, longer than 64 characters, or holds characters other than letters, digits, `_`, `-`, `.` and `:`.',
  'device-mismatch': 'The device id in the payload differs from the one in the topic.',
  'invalid-json': 'The payload is not valid JSON.',
  'schema-mismatch': 'The JSON does not match the native reading schema; the message says where.',
  'unknown-topic': 'The topic is neither a native `airbox/v1/…` topic nor a known LASS topic.',
} as const;
export type DecodeErrorCode = keyof typeof DECODE_ERROR_CODES;

/**
 * Why the broker refused a PUBLISH (MQTT 3.1.1 has no negative PUBACK: the connection is
 * closed, and the message is kept as a dead letter with one of these codes).
 */
export const REFUSAL_CODES = {
  'not-authorized':
    'The publisher may not publish there: not logged in, another device’s topic, a topic set by the server, reference-station data from a box, or an anonymous LASS line naming a registered device.',
  'payload-too-large':
    'The payload is larger than the broker accepts (for a retained message, than the retained budget); its first bytes are kept in the dead letter.',
  'device-mismatch': 'A logged-in box published LASS data naming another device_id.',
  'rate-limited':
    'The box sent more messages a second than its rate limit allows, or an anonymous box appeared while more new anonymous device_ids a minute than allowed were arriving.',
  'retain-not-allowed':
    'A retained message where none is kept: boxes retain only their own status, services a registered device’s config or status.',
} as const;
export type RefusalCode = keyof typeof REFUSAL_CODES;

/** Why the worker kept (part of) an accepted message as a dead letter after decoding it. */
export const WORKER_DEAD_LETTER_CODES = {
  'clock-invalid':
    'Some readings had no trustworthy time (an unset device clock and no receive time); the others were stored.',
} as const;

/** Why a store kept a reading as a dead letter, and how it reads back a code it does not list. */
export const STORE_DEAD_LETTER_CODES = {
  'influx-refused':
    'InfluxDB refused the reading with 4xx (a schema conflict, a time out of range); the payload is its line protocol.',
  'unknown-code':
    'Kept by another AirBox version with a code this one does not list; the reason begins with that code.',
} as const;

/** Every code a dead letter can carry, with its meaning. */
export const DEAD_LETTER_CODES = {
  ...DECODE_ERROR_CODES,
  ...REFUSAL_CODES,
  ...WORKER_DEAD_LETTER_CODES,
  ...STORE_DEAD_LETTER_CODES,
} as const;
export type DeadLetterCode = keyof typeof DEAD_LETTER_CODES;

export function isDeadLetterCode(code: string): code is DeadLetterCode {
  return Object.hasOwn(DEAD_LETTER_CODES, code);
}
