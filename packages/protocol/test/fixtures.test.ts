import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decodeDocument,
  decodeMessage,
  parseCaptureLine,
  type DecodeContext,
} from '../src/index.ts';

/**
 * Every real LASS fixture decodes to its expected output, line for line. The expected files
 * were made by `airbox decode` and checked by hand (fixtures/lass/PROVENANCE.md); the facts
 * behind them are asserted one by one in lass.test.ts.
 */
const DIR = new URL('./fixtures/lass/', import.meta.url);
const ctx: DecodeContext = { nowMs: Date.UTC(2026, 0, 1) };
const read = (name: string) => readFileSync(new URL(name, DIR), 'utf8').trimEnd().split('\n');

function decodeLine(line: string): unknown[] {
  const { topic, payload } = parseCaptureLine(line);
  const results =
    topic === null ? decodeDocument(payload, ctx) : [decodeMessage(topic, payload, ctx)];
  return results.flatMap((r): unknown[] => (r.ok ? r.readings : [{ error: r.error }]));
}

const CASES = [
  { file: 'capture-2015-10-09-part1.txt', lines: (f: string) => read(f) },
  { file: 'capture-v0-lass.raw', lines: (f: string) => read(f) },
  {
    file: 'payload-samples.tsv',
    lines: (f: string) =>
      read(f)
        .slice(1)
        .map((row) => row.split('\t')[4] ?? ''),
  },
];

describe.each(CASES)('$file', ({ file, lines }) => {
  const expected = read(file.replace(/\.[a-z]+$/, '.expected.jsonl')).map(
    (l) => JSON.parse(l) as unknown,
  );
  const inputs = lines(file);

  it('decodes every line to its expected reading', () => {
    const actual = inputs.flatMap(decodeLine);
    expect(actual).toHaveLength(expected.length);
    actual.forEach((reading, i) => expect(reading, `line ${i + 1}`).toEqual(expected[i]));
  });

  it('decodes every line without an error', () => {
    expect(inputs.flatMap(decodeLine).filter((r) => 'error' in (r as object))).toEqual([]);
  });
});
