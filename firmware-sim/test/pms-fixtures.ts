import { readFileSync } from 'node:fs';
import type { PmsModel } from '../src/index.ts';

/** One real frame from fixtures/*.jsonl (see fixtures/PROVENANCE.md). */
export interface FrameFixture {
  kind: string;
  bytes: Uint8Array;
  dataWords: number[];
  /** The models whose frames have this shape: PMS5003 and PMS7003 share one. */
  models: PmsModel[];
  line: number;
}

const isWords = (v: unknown): v is number[] =>
  Array.isArray(v) && v.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff);

function parseLine(text: string, line: number): FrameFixture {
  const row: unknown = JSON.parse(text);
  if (typeof row !== 'object' || row === null) throw new Error(`line ${line}: not an object`);
  const { kind, hex, data_words: dataWords } = row as Record<string, unknown>;
  if (typeof kind !== 'string' || typeof hex !== 'string' || !isWords(dataWords))
    throw new Error(`line ${line}: needs kind, hex and data_words`);
  const models: PmsModel[] = kind.startsWith('PMSx003') ? ['PMS5003', 'PMS7003'] : ['PMS3003'];
  return {
    kind,
    bytes: new Uint8Array(Buffer.from(hex.replaceAll(' ', ''), 'hex')),
    dataWords,
    models,
    line,
  };
}

export function readFrameFixtures(name: string): FrameFixture[] {
  const text = readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
  return text
    .trimEnd()
    .split('\n')
    .map((l, i) => parseLine(l, i + 1));
}

export const ALL_FIXTURES = [
  ...readFrameFixtures('pms-frames.jsonl'),
  ...readFrameFixtures('pms3003-frames.jsonl'),
];

/** Every good frame event in `events`. */
export const framesOf = <E extends { kind: string }>(events: E[]) =>
  events.filter((e): e is Extract<E, { kind: 'frame' }> => e.kind === 'frame');
