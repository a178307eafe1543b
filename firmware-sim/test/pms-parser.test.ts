import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PMS_MAX_FRAME_BYTES,
  PMS_MODELS,
  PMS_MODEL_NAMES,
  PmsFrameParser,
  decodePmsFrame,
  encodePmsFrame,
  type PmsFrame,
  type PmsFrameValues,
  type PmsModel,
  type PmsParseEvent,
} from '../src/index.ts';
import { ALL_FIXTURES, framesOf } from './pms-fixtures.ts';

const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const bytes = (...b: number[]) => new Uint8Array(b);

function frameOf(model: PmsModel, raw: Uint8Array): PmsFrame {
  const result = decodePmsFrame(model, raw);
  if (!result.ok) throw new Error(`fixture rejected: ${result.reason}`);
  return result.frame;
}

/** Feeds `chunks` one by one, the way a serial port delivers them. */
function feed(model: PmsModel, chunks: Uint8Array[]): PmsParseEvent[] {
  const parser = new PmsFrameParser(model);
  return chunks.flatMap((c) => {
    const events = parser.push(c);
    expect(parser.bufferedBytes).toBeLessThan(PMS_FRAME_BYTES[model]);
    return events;
  });
}
const PMS_FRAME_BYTES = Object.fromEntries(
  PMS_MODEL_NAMES.map((m) => [m, PMS_MODELS[m].frameBytes]),
) as Record<PmsModel, number>;

const splitAt = (stream: Uint8Array, cuts: number[]) =>
  [0, ...cuts, stream.length]
    .slice(1)
    .map((end, i, ends) => stream.slice(i ? ends[i - 1] : 0, end));

describe('a PMS5003 byte stream with garbage before, between and inside frames', () => {
  const real = ALL_FIXTURES.filter((f) => f.bytes.length === 32).map((f) => f.bytes);
  const [a, b, c, d] = real;
  if (!a || !b || !c || !d) throw new Error('need four 32-byte fixtures');
  const stream = concat(
    bytes(0x00, 0xff, 0x42, 0x42, 0x4d, 0x12, 0x34, 0x4d, 0x42), // noise, a fake header
    a,
    // A fake start with the right length whose 32-byte window swallows the head of `b`.
    bytes(0x13, 0x42, 0x4d, 0x00, 0x1c, 0x01, 0x02, 0x03),
    b,
    c.slice(0, 17), // `c` torn by line noise: lost, and must not be reported good
    bytes(0x42, 0x4d, 0x00),
    c.slice(17),
    d,
    a.slice(0, 20), // unfinished at the end of the capture
  );
  const good = [a, b, d].map((f) => frameOf('PMS5003', f));

  it('yields exactly the good frames, in order', () => {
    const events = feed('PMS5003', [stream]);
    expect(framesOf(events).map((e) => e.frame)).toEqual(good);
    expect(events.filter((e) => e.kind === 'rejected').length).toBeGreaterThanOrEqual(3);
  });

  it('yields the same frames however the stream is split in two', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const events = feed('PMS5003', splitAt(stream, [cut]));
      expect(
        framesOf(events).map((e) => e.frame),
        `cut at ${cut}`,
      ).toEqual(good);
    }
  });

  it('yields the same frames fed one byte at a time', () => {
    const events = feed(
      'PMS5003',
      Array.from(stream, (x) => bytes(x)),
    );
    expect(framesOf(events).map((e) => e.frame)).toEqual(good);
  });

  it('keeps only the unfinished frame between pushes', () => {
    const parser = new PmsFrameParser('PMS5003');
    parser.push(stream);
    expect(parser.bufferedBytes).toBe(20);
    parser.reset();
    expect(parser.bufferedBytes).toBe(0);
  });
});

describe.each(PMS_MODEL_NAMES)('%s: a frame split across chunks', (model) => {
  const frame = encodePmsFrame(model, {
    pm1Cf1UgM3: 5,
    pm25Cf1UgM3: 8,
    pm10Cf1UgM3: 9,
    pm1AtmUgM3: 5,
    pm25AtmUgM3: 8,
    pm10AtmUgM3: 9,
  });
  it('is found at every possible split point, also with noise around it', () => {
    const stream = concat(bytes(0x42, 0x4d, 0x42), frame, bytes(0x42));
    for (let cut = 0; cut <= stream.length; cut++) {
      for (const cut2 of [cut, Math.min(stream.length, cut + 3)]) {
        const frames = framesOf(feed(model, splitAt(stream, [cut, cut2])));
        expect(frames, `cuts ${cut}, ${cut2}`).toHaveLength(1);
      }
    }
  });
});

const modelArb = fc.constantFrom(...PMS_MODEL_NAMES);
const word = fc.integer({ min: 0, max: 0xffff });
const valuesArb: fc.Arbitrary<PmsFrameValues> = fc.record({
  pm1Cf1UgM3: word,
  pm25Cf1UgM3: word,
  pm10Cf1UgM3: word,
  pm1AtmUgM3: word,
  pm25AtmUgM3: word,
  pm10AtmUgM3: word,
  countsPer100Ml: fc.record({
    gt0p3Um: word,
    gt0p5Um: word,
    gt1p0Um: word,
    gt2p5Um: word,
    gt5p0Um: word,
    gt10Um: word,
  }),
  versionByte: fc.integer({ min: 0, max: 0xff }),
  errorByte: fc.integer({ min: 0, max: 0xff }),
});
const cutsArb = (length: number) =>
  fc
    .uniqueArray(fc.integer({ min: 0, max: length }), { maxLength: 8 })
    .map((c) => c.sort((x, y) => x - y));

describe('properties', () => {
  it('never throws on random bytes in random chunks, and stays within its bound', () => {
    fc.assert(
      fc.property(modelArb, fc.uint8Array({ maxLength: 400 }), fc.nat(), (model, noise, seed) => {
        const parser = new PmsFrameParser(model);
        for (let i = 0; i < noise.length; i += 1 + ((seed + i) % 37)) {
          parser.push(noise.slice(i, i + 1 + ((seed + i) % 37)));
          expect(parser.bufferedBytes).toBeLessThan(PMS_MAX_FRAME_BYTES);
        }
      }),
    );
  });

  it('finds every good frame embedded in random garbage, however it is chunked', () => {
    const pieces = fc.array(fc.tuple(fc.uint8Array({ maxLength: 40 }), valuesArb), {
      minLength: 1,
      maxLength: 6,
    });
    const scenario = fc.tuple(modelArb, pieces).chain(([model, parts]) => {
      const frames = parts.map(([, v]) => encodePmsFrame(model, v));
      const stream = concat(...parts.flatMap(([noise], i) => [noise, frames[i] ?? bytes()]));
      return fc.tuple(fc.constant({ model, frames, stream }), cutsArb(stream.length));
    });
    fc.assert(
      fc.property(scenario, ([{ model, frames, stream }, cuts]) => {
        const found = framesOf(feed(model, splitAt(stream, cuts))).map((e) => e.frame);
        expect(found).toEqual(frames.map((f) => frameOf(model, f)));
      }),
    );
  });

  it('gives the same verdicts whatever the chunking', () => {
    fc.assert(
      fc.property(modelArb, fc.uint8Array({ maxLength: 200 }), valuesArb, (model, noise, v) => {
        const stream = concat(noise.slice(0, 50), encodePmsFrame(model, v), noise.slice(50));
        const verdicts = (events: PmsParseEvent[]) => events.filter((e) => e.kind !== 'skipped');
        const skipped = (events: PmsParseEvent[]) =>
          events.reduce((n, e) => n + (e.kind === 'skipped' ? e.byteCount : 0), 0);
        const whole = feed(model, [stream]);
        const byByte = feed(
          model,
          Array.from(stream, (x) => bytes(x)),
        );
        expect(verdicts(byByte)).toEqual(verdicts(whole));
        expect(skipped(byByte)).toBe(skipped(whole));
      }),
    );
  });
});
