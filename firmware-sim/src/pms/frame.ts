/**
 * Plantower data frames: decode, encode, and a streaming parser. Pure: no I/O, no clock.
 *
 * PMS5003 datasheet V2.3 appendix I: a frame is `42 4D`, a 16-bit length field (data words
 * + checksum, in bytes), big-endian data words, and a 16-bit check code = the sum of every
 * byte before it (bytes 0..29 for a 32-byte frame). Word meanings per model: models.ts.
 */
import { PMS_ACK_BYTES, PMS_ACK_LENGTH_FIELD } from './commands.ts';
import { PMS_START_1, PMS_START_2, be16, sum16, writeBe16 } from './bytes.ts';
import { PmsError } from './errors.ts';
import { PMS_MODELS, type PmsModel, type PmsModelSpec, type PmsWordField } from './models.ts';

type PmField =
  'pm1Cf1UgM3' | 'pm25Cf1UgM3' | 'pm10Cf1UgM3' | 'pm1AtmUgM3' | 'pm25AtmUgM3' | 'pm10AtmUgM3';
const COUNT_FIELDS = ['gt0p3Um', 'gt0p5Um', 'gt1p0Um', 'gt2p5Um', 'gt5p0Um', 'gt10Um'] as const;
type CountField = (typeof COUNT_FIELDS)[number];

/** Particles with a diameter beyond N µm in 0.1 L (100 mL) of air (PMS5003 data 7–12). */
export type PmsCountsPer100Ml = Record<CountField, number>;

/**
 * One decoded frame. PM values are µg/m³: `…Cf1…` is the "CF=1, standard particle" value
 * (datasheet: for the factory environment), `…Atm…` the "atmospheric environment" one —
 * what LASS/AirBox send as `s_d0` (frame bytes 12–13).
 */
export type PmsFrame = Record<PmField, number> & {
  model: PmsModel;
  /** Null for models without size bins (PMS3003). */
  countsPer100Ml: PmsCountsPer100Ml | null;
  /** PMS7003 datasheet data 13: firmware version and error code; null on PMS3003. */
  versionByte: number | null;
  errorByte: number | null;
  /** Words the datasheet marks reserved (PMS3003 data 7–9), kept for diagnostics. */
  reservedWords: number[];
};

/** What `encodePmsFrame` needs: a decoded frame fits; omitted extras are sent as 0. */
export type PmsFrameValues = Record<PmField, number> & {
  countsPer100Ml?: PmsCountsPer100Ml | null;
  versionByte?: number | null;
  errorByte?: number | null;
  reservedWords?: readonly number[];
};

export type PmsRejectReason = 'bad-length' | 'bad-checksum';

export type PmsParseEvent =
  | { kind: 'frame'; frame: PmsFrame }
  /** An 8-byte command acknowledgement (commands.ts `encodePmsAck`). */
  | { kind: 'ack'; command: number; data: number }
  | { kind: 'rejected'; reason: PmsRejectReason; bytes: Uint8Array }
  /** Bytes dropped while looking for `42 4D`: line noise, or the tail of a rejected frame. */
  | { kind: 'skipped'; byteCount: number };

const isCountField = (f: PmsWordField): f is CountField =>
  (COUNT_FIELDS as readonly string[]).includes(f);

/** The frame's fields from its data words, following the model's word layout. */
export function frameFromWords(model: PmsModel, words: readonly number[]): PmsFrame {
  const spec: PmsModelSpec = PMS_MODELS[model];
  const hasCounts = spec.words.some(isCountField);
  const frame: PmsFrame = {
    model,
    pm1Cf1UgM3: 0,
    pm25Cf1UgM3: 0,
    pm10Cf1UgM3: 0,
    pm1AtmUgM3: 0,
    pm25AtmUgM3: 0,
    pm10AtmUgM3: 0,
    countsPer100Ml: hasCounts
      ? { gt0p3Um: 0, gt0p5Um: 0, gt1p0Um: 0, gt2p5Um: 0, gt5p0Um: 0, gt10Um: 0 }
      : null,
    versionByte: null,
    errorByte: null,
    reservedWords: [],
  };
  spec.words.forEach((field, i) => {
    const word = words[i] ?? 0;
    if (field === 'versionAndError') {
      frame.versionByte = word >> 8;
      frame.errorByte = word & 0xff;
    } else if (field === 'reserved') frame.reservedWords.push(word);
    else if (isCountField(field)) {
      if (frame.countsPer100Ml) frame.countsPer100Ml[field] = word;
    } else frame[field] = word;
  });
  return frame;
}

function checkedWord(name: string, value: number, max: number): number {
  if (Number.isInteger(value) && value >= 0 && value <= max) return value;
  throw new PmsError(
    'PMS_VALUE_OUT_OF_RANGE',
    `${name} = ${value} does not fit the frame: the sensor sends integers 0…${max}; round and clamp the value first`,
  );
}

/** The data words a frame with `values` carries, in frame order. */
export function pmsDataWords(model: PmsModel, values: PmsFrameValues): number[] {
  let reservedIndex = 0;
  return PMS_MODELS[model].words.map((field: PmsWordField) => {
    if (field === 'versionAndError') {
      const version = checkedWord('versionByte', values.versionByte ?? 0, 0xff);
      return (version << 8) | checkedWord('errorByte', values.errorByte ?? 0, 0xff);
    }
    if (field === 'reserved') {
      const word = values.reservedWords?.[reservedIndex++] ?? 0;
      return checkedWord('reservedWords', word, 0xffff);
    }
    if (isCountField(field)) return checkedWord(field, values.countsPer100Ml?.[field] ?? 0, 0xffff);
    return checkedWord(field, values[field], 0xffff);
  });
}

/** A valid frame carrying `values`, exactly as the sensor would send it. */
export function encodePmsFrame(model: PmsModel, values: PmsFrameValues): Uint8Array {
  const spec: PmsModelSpec = PMS_MODELS[model];
  const bytes = new Uint8Array(spec.frameBytes);
  bytes[0] = PMS_START_1;
  bytes[1] = PMS_START_2;
  writeBe16(bytes, 2, spec.lengthField);
  pmsDataWords(model, values).forEach((word, i) => writeBe16(bytes, 4 + 2 * i, word));
  // PMS5003 datasheet: check code = start character 1 + start character 2 + … + data 13.
  writeBe16(bytes, spec.frameBytes - 2, sum16(bytes, 0, spec.frameBytes - 2));
  return bytes;
}

type Step = { event: PmsParseEvent; consumed: number } | 'need-more';

/** Reads the candidate frame starting at `pos` (which holds `42 4D`). */
function stepAt(spec: PmsModelSpec, model: PmsModel, buf: Uint8Array, pos: number): Step {
  if (buf.length - pos < 4) return 'need-more';
  const lengthField = be16(buf, pos + 2);
  const isAck = spec.acceptsCommands && lengthField === PMS_ACK_LENGTH_FIELD;
  if (lengthField !== spec.lengthField && !isAck) {
    // Decided on the header alone, so a corrupt length never makes the parser wait or hold
    // bytes. Only its first byte is consumed: a good frame may start right after it.
    const bytes = buf.slice(pos, pos + 4);
    return { event: { kind: 'rejected', reason: 'bad-length', bytes }, consumed: 1 };
  }
  const total = isAck ? PMS_ACK_BYTES : spec.frameBytes;
  if (buf.length - pos < total) return 'need-more';
  if (be16(buf, pos + total - 2) !== sum16(buf, pos, pos + total - 2)) {
    // A fake or truncated frame swallows the start of the next good one: rescan from pos+1.
    const bytes = buf.slice(pos, pos + total);
    return { event: { kind: 'rejected', reason: 'bad-checksum', bytes }, consumed: 1 };
  }
  if (isAck) {
    const event = { kind: 'ack', command: buf[pos + 4] ?? 0, data: buf[pos + 5] ?? 0 } as const;
    return { event, consumed: total };
  }
  const words = Array.from({ length: spec.words.length }, (_, i) => be16(buf, pos + 4 + 2 * i));
  return { event: { kind: 'frame', frame: frameFromWords(model, words) }, consumed: total };
}

function findStart(buf: Uint8Array, from: number): number {
  for (let i = from; i + 1 < buf.length; i++) {
    if (buf[i] === PMS_START_1 && buf[i + 1] === PMS_START_2) return i;
  }
  return -1;
}

/**
 * Turns a byte stream from one sensor into frames, however the bytes are chunked.
 *
 * Bound: between pushes it holds at most one unfinished frame, under `frameBytes` bytes
 * (31 for PMS5003/7003, 23 for PMS3003) — see `bufferedBytes`. Nothing is ever queued
 * beyond that: bytes that cannot start a frame are dropped at once (a `skipped` event),
 * a header whose length does not fit the model is rejected at once, and a whole chunk,
 * whatever its size, is decided inside the `push` that brought it.
 */
export class PmsFrameParser {
  readonly model: PmsModel;
  readonly #spec: PmsModelSpec;
  #pending = new Uint8Array(0);

  constructor(model: PmsModel) {
    this.model = model;
    this.#spec = PMS_MODELS[model];
  }

  get bufferedBytes(): number {
    return this.#pending.length;
  }

  /** Forgets a partial frame, e.g. after the port was reopened. */
  reset(): void {
    this.#pending = new Uint8Array(0);
  }

  push(chunk: Uint8Array): PmsParseEvent[] {
    const buf = new Uint8Array(this.#pending.length + chunk.length);
    buf.set(this.#pending);
    buf.set(chunk, this.#pending.length);
    const events: PmsParseEvent[] = [];
    const skip = (from: number, to: number) => {
      if (to > from) events.push({ kind: 'skipped', byteCount: to - from });
    };
    let pos = 0;
    while (pos < buf.length) {
      const start = findStart(buf, pos);
      if (start < 0) {
        // A lone 0x42 at the very end may be the first half of the next start pair.
        const keepFrom = buf[buf.length - 1] === PMS_START_1 ? buf.length - 1 : buf.length;
        skip(pos, keepFrom);
        pos = keepFrom;
        break;
      }
      skip(pos, start);
      pos = start;
      const step = stepAt(this.#spec, this.model, buf, pos);
      if (step === 'need-more') break;
      events.push(step.event);
      pos += step.consumed;
    }
    this.#pending = buf.slice(pos);
    return events;
  }
}

export type PmsDecodeResult =
  { ok: true; frame: PmsFrame } | { ok: false; reason: PmsRejectReason | 'bad-start' };

/** Decodes exactly one whole frame (no garbage around it), e.g. a fixture or a capture. */
export function decodePmsFrame(model: PmsModel, bytes: Uint8Array): PmsDecodeResult {
  if (bytes[0] !== PMS_START_1 || bytes[1] !== PMS_START_2)
    return { ok: false, reason: 'bad-start' };
  const spec: PmsModelSpec = PMS_MODELS[model];
  if (bytes.length !== spec.frameBytes || be16(bytes, 2) !== spec.lengthField)
    return { ok: false, reason: 'bad-length' };
  const first = new PmsFrameParser(model).push(bytes)[0];
  if (first?.kind === 'frame') return { ok: true, frame: first.frame };
  return { ok: false, reason: 'bad-checksum' };
}
