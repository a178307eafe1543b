import type { DecodeContext } from './checks.ts';
import { decodeLass, preview } from './lass/decode.ts';
import { decodeNative } from './native.ts';
import { decodeOpenData, isOpenDataFile } from './opendata.ts';
import { decodeError, type DecodeResult } from './reading.ts';
import { parseTopic } from './topics.ts';

/** Payloads above this are refused before parsing (a LASS line is ~300 bytes). */
export const DEFAULT_MAX_PAYLOAD_BYTES = 256 * 1024;

type Decoder = (payload: string, ctx: DecodeContext) => DecodeResult;

/** Decoders by wire-format family; a topic or the payload's first character picks one. */
export const DECODERS: Record<'lass' | 'native', Decoder> = {
  lass: decodeLass,
  native: decodeNative,
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface DecodeOptions {
  maxPayloadBytes?: number;
}

/**
 * Decodes one MQTT message into readings. With a topic, the topic decides the format and
 * may name the device; without one (files, stdin), the payload's shape decides.
 * Never throws: every failure is a coded error naming the input and the problem.
 */
export function decodeMessage(
  topic: string | null,
  payload: string | Uint8Array,
  ctx: DecodeContext,
  opts: DecodeOptions = {},
): DecodeResult {
  const max = opts.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  const size = typeof payload === 'string' ? payload.length : payload.byteLength;
  if (size > max) {
    return decodeError('payload-too-large', `payload is ${size} bytes; the limit is ${max}`);
  }
  let text: string;
  try {
    text = typeof payload === 'string' ? payload : utf8.decode(payload);
  } catch {
    return decodeError('invalid-encoding', 'payload is not valid UTF-8 text');
  }
  if (text.trim() === '') return decodeError('empty-payload', 'payload is empty');

  if (topic === null) return decodeBare(text, ctx);
  const parsed = parseTopic(topic);
  if (parsed === null) {
    return decodeError('unknown-topic', `topic ${preview(topic)} is not a reading topic`);
  }
  if (parsed.family === 'native' && parsed.kind !== 'reading' && parsed.kind !== 'batch') {
    return decodeError('not-a-reading', `topic ${topic} carries ${parsed.kind}, not readings`);
  }
  const withDevice =
    parsed.deviceId === undefined ? ctx : { ...ctx, topicDeviceId: parsed.deviceId };
  return DECODERS[parsed.family](text, withDevice);
}

function decodeBare(text: string, ctx: DecodeContext): DecodeResult {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return decodeLass(text, ctx);
  return decodeNative(text, ctx);
}

/**
 * Like `decodeMessage` without a topic, but a LASS open-data archive (`{"feeds": […]}`)
 * yields one result per record.
 */
export function decodeDocument(text: string, ctx: DecodeContext): DecodeResult[] {
  if (text.trimStart().startsWith('{')) {
    try {
      const json: unknown = JSON.parse(text);
      if (isOpenDataFile(json)) return decodeOpenData(json, ctx);
    } catch {
      // not JSON: decodeMessage reports it with its own error
    }
  }
  return [decodeMessage(null, text, ctx)];
}
