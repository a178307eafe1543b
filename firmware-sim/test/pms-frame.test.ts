import { describe, expect, it } from 'vitest';
import {
  PMS_MODEL_NAMES,
  PmsError,
  PmsFrameParser,
  decodePmsCommand,
  decodePmsFrame,
  encodePmsAck,
  encodePmsCommand,
  encodePmsFrame,
  pmsDataWords,
  toHex,
  type PmsFrameValues,
  type PmsModel,
} from '../src/index.ts';
import { ALL_FIXTURES, type FrameFixture } from './pms-fixtures.ts';

const cases = ALL_FIXTURES.flatMap((f) => f.models.map((model) => ({ ...f, model })));

function corrupt(f: FrameFixture, offset: number, value: (b: number) => number): Uint8Array {
  const copy = f.bytes.slice();
  copy[offset] = value(copy[offset] ?? 0);
  return copy;
}

describe.each(cases)('real $kind frame, line $line, read as $model', (f) => {
  it('decodes to the words PyPMS recorded', () => {
    const result = decodePmsFrame(f.model, f.bytes);
    if (!result.ok) throw new Error(`rejected: ${result.reason}`);
    expect(pmsDataWords(f.model, result.frame)).toEqual(f.dataWords);
    // Data 2 is PM2.5 CF=1 (bytes 6–7); data 5 is atmospheric PM2.5 (bytes 12–13), LASS s_d0.
    expect(result.frame.pm25Cf1UgM3).toBe(f.dataWords[1]);
    expect(result.frame.pm25AtmUgM3).toBe(f.dataWords[4]);
    expect(result.frame.pm25AtmUgM3).toBe(((f.bytes[12] ?? 0) << 8) | (f.bytes[13] ?? 0));
  });

  it('re-encodes to the very same bytes', () => {
    const result = decodePmsFrame(f.model, f.bytes);
    if (!result.ok) throw new Error(`rejected: ${result.reason}`);
    expect(toHex(encodePmsFrame(f.model, result.frame))).toBe(toHex(f.bytes));
  });

  it('rejects a copy with one data byte flipped as bad-checksum', () => {
    const events = new PmsFrameParser(f.model).push(corrupt(f, 13, (b) => b ^ 0x01));
    expect(events.filter((e) => e.kind !== 'skipped')).toEqual([
      expect.objectContaining({ kind: 'rejected', reason: 'bad-checksum' }),
    ]);
  });

  it('rejects a copy with a changed length field as bad-length', () => {
    const events = new PmsFrameParser(f.model).push(corrupt(f, 3, (b) => b + 2));
    expect(events.filter((e) => e.kind !== 'skipped')).toEqual([
      {
        kind: 'rejected',
        reason: 'bad-length',
        bytes: f.bytes.slice(0, 4).map((b, i) => (i === 3 ? b + 2 : b)),
      },
    ]);
    expect(
      decodePmsFrame(
        f.model,
        corrupt(f, 3, (b) => b + 2),
      ),
    ).toEqual({ ok: false, reason: 'bad-length' });
  });
});

describe('frames of the other size', () => {
  const pmsx003 = ALL_FIXTURES.find((f) => f.bytes.length === 32);
  const pms3003 = ALL_FIXTURES.find((f) => f.bytes.length === 24);

  it('a PMS3003 frame on a PMS5003 port is bad-length, and the reverse', () => {
    if (!pmsx003 || !pms3003) throw new Error('fixtures missing');
    const on5003 = new PmsFrameParser('PMS5003').push(pms3003.bytes);
    const on3003 = new PmsFrameParser('PMS3003').push(pmsx003.bytes);
    expect(on5003.find((e) => e.kind === 'rejected')).toMatchObject({ reason: 'bad-length' });
    expect(on3003.find((e) => e.kind === 'rejected')).toMatchObject({ reason: 'bad-length' });
    expect([...on5003, ...on3003].some((e) => e.kind === 'frame')).toBe(false);
  });
});

const VALUES: Record<PmsModel, PmsFrameValues> = {
  PMS5003: {
    pm1Cf1UgM3: 12,
    pm25Cf1UgM3: 20,
    pm10Cf1UgM3: 31,
    pm1AtmUgM3: 11,
    pm25AtmUgM3: 18,
    pm10AtmUgM3: 29,
    countsPer100Ml: {
      gt0p3Um: 3021,
      gt0p5Um: 901,
      gt1p0Um: 150,
      gt2p5Um: 12,
      gt5p0Um: 3,
      gt10Um: 1,
    },
    versionByte: 0x97,
    errorByte: 0,
  },
  PMS7003: {
    pm1Cf1UgM3: 500,
    pm25Cf1UgM3: 999,
    pm10Cf1UgM3: 65535,
    pm1AtmUgM3: 0,
    pm25AtmUgM3: 1000,
    pm10AtmUgM3: 1,
    countsPer100Ml: { gt0p3Um: 65535, gt0p5Um: 0, gt1p0Um: 1, gt2p5Um: 2, gt5p0Um: 3, gt10Um: 4 },
    versionByte: 0x91,
    errorByte: 0x80,
  },
  PMS3003: {
    pm1Cf1UgM3: 7,
    pm25Cf1UgM3: 9,
    pm10Cf1UgM3: 11,
    pm1AtmUgM3: 7,
    pm25AtmUgM3: 9,
    pm10AtmUgM3: 11,
    reservedWords: [0, 0, 0x51],
  },
};

describe.each(PMS_MODEL_NAMES)('%s encoder → parser', (model) => {
  it('round-trips every field', () => {
    const bytes = encodePmsFrame(model, VALUES[model]);
    const events = new PmsFrameParser(model).push(bytes);
    expect(events).toEqual([
      { kind: 'frame', frame: expect.objectContaining({ model, ...VALUES[model] }) },
    ]);
  });

  it('refuses a value the frame cannot carry, naming it', () => {
    const bad = { ...VALUES[model], pm25AtmUgM3: 12.5 };
    expect(() => encodePmsFrame(model, bad)).toThrow(PmsError);
    expect(() => encodePmsFrame(model, { ...bad, pm25AtmUgM3: 70_000 })).toThrow(
      /pm25AtmUgM3 = 70000/,
    );
  });
});

describe('command frames', () => {
  // PyPMS src/pms/sensors/plantower/pmsx003.py `commands`.
  it.each([
    ['passive-mode', '42 4d e1 00 00 01 70'],
    ['active-mode', '42 4d e1 00 01 01 71'],
    ['passive-read', '42 4d e2 00 00 01 71'],
    ['sleep', '42 4d e4 00 00 01 73'],
    ['wake', '42 4d e4 00 01 01 74'],
  ] as const)('%s is %s, and decodes back', (name, hex) => {
    expect(toHex(encodePmsCommand(name))).toBe(hex);
    expect(decodePmsCommand(encodePmsCommand(name))).toBe(name);
  });

  it('a command with a wrong LRC is not a command', () => {
    const bytes = encodePmsCommand('sleep');
    bytes[6] = 0x74;
    expect(decodePmsCommand(bytes)).toBeNull();
  });

  it('acknowledgements look like a PMS7003 sends them and parse as acks, not rejects', () => {
    expect(toHex(encodePmsAck('passive-mode'))).toBe('42 4d 00 04 e1 00 01 74');
    expect(toHex(encodePmsAck('sleep'))).toBe('42 4d 00 04 e4 00 01 77');
    const events = new PmsFrameParser('PMS5003').push(encodePmsAck('active-mode'));
    expect(events).toEqual([{ kind: 'ack', command: 0xe1, data: 1 }]);
  });
});
