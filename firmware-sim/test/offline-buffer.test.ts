import { spawn } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '@airbox/testkit';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { OfflineBuffer } from '../src/index.ts';
import { decodeNumbered, numbered, type Numbered } from './helpers/numbered.ts';

const dirs: { remove: () => void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

function newDir(): string {
  const dir = tempDir('buffer');
  dirs.push(dir);
  return dir.path;
}

function open(dir: string, maxReadings = 1000, segmentReadings?: number) {
  return OfflineBuffer.open({ dir, maxReadings, decode: decodeNumbered, segmentReadings });
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
const held = (b: OfflineBuffer<Numbered>) => b.peek(b.size).map((e) => e.reading.i);

describe('OfflineBuffer: acknowledged readings leave, the rest survive a crash', () => {
  it('reopening after a crash restores exactly the unacknowledged readings, in order', async () => {
    const dir = newDir();
    const before = await open(dir);
    await before.append(range(0, 5).map(numbered));
    await before.append([numbered(5), numbered(6)]);
    await before.ack(3);
    // No close(): the process "dies" here. A new instance reads only what is on disk.
    const after = await open(dir);
    expect(held(after)).toEqual([3, 4, 5, 6]);
    expect(after.peek(2).map((e) => e.reading)).toEqual([numbered(3), numbered(4)]);
    await after.append([numbered(7)]);
    expect(held(await open(dir))).toEqual([3, 4, 5, 6, 7]);
  });

  it('keeps the newest maxReadings, drops the oldest, and persists the drop count', async () => {
    const dir = newDir();
    const buffer = await open(dir, 5);
    for (const i of range(0, 8)) await buffer.append([numbered(i)]);
    await buffer.append(range(8, 12).map(numbered)); // one batch larger than the room left
    expect(held(buffer)).toEqual([7, 8, 9, 10, 11]);
    expect(buffer.stats()).toMatchObject({ readings: 5, maxReadings: 5, droppedReadings: 7 });

    const reopened = await open(dir, 5);
    expect(held(reopened)).toEqual([7, 8, 9, 10, 11]);
    expect(reopened.stats().droppedReadings).toBe(7);
    await reopened.append([numbered(12)]);
    expect((await open(dir, 5)).stats().droppedReadings).toBe(8);
  });

  it('applies a smaller bound on reopen, counting what it drops', async () => {
    const dir = newDir();
    const big = await open(dir, 100);
    await big.append(range(0, 10).map(numbered));
    const small = await open(dir, 4);
    expect(held(small)).toEqual([6, 7, 8, 9]);
    expect((await open(dir, 4)).stats().droppedReadings).toBe(6);
  });

  it('skips a torn last line (crash mid-write) and appends cleanly after it', async () => {
    const dir = newDir();
    const buffer = await open(dir);
    await buffer.append(range(0, 3).map(numbered));
    const [segment] = readdirSync(dir).filter((f) => f.startsWith('seg-'));
    if (segment === undefined) throw new Error('no segment written');
    const torn = JSON.stringify(numbered(3)).slice(0, 500);
    appendFileSync(join(dir, segment), torn);

    const reopened = await open(dir);
    expect(held(reopened)).toEqual([0, 1, 2]);
    expect(reopened.stats().tornBytes).toBe(500);
    await reopened.append([numbered(3)]);
    const again = await open(dir);
    expect(held(again)).toEqual([0, 1, 2, 3]);
    expect(again.stats()).toMatchObject({ tornBytes: 0, corruptLines: 0 });
  });

  it('skips and counts a complete line that does not parse, keeping the ones after it', async () => {
    const dir = newDir();
    const buffer = await open(dir);
    await buffer.append(range(0, 3).map(numbered));
    const segment = readdirSync(dir).find((f) => f.startsWith('seg-')) ?? '';
    const lines = readFileSync(join(dir, segment), 'utf8').split('\n');
    lines[1] = '{"i": "not a reading"}';
    writeFileSync(join(dir, segment), lines.join('\n'));
    const reopened = await open(dir);
    expect(held(reopened)).toEqual([0, 2]);
    expect(reopened.stats().corruptLines).toBe(1);
  });

  it('resends everything on disk when state.json is unreadable, rather than lose it', async () => {
    const dir = newDir();
    const buffer = await open(dir);
    await buffer.append(range(0, 4).map(numbered));
    await buffer.ack(2);
    writeFileSync(join(dir, 'state.json'), '{"v":1,"head');
    const reopened = await open(dir);
    expect(held(reopened)).toEqual([0, 1, 2, 3]);
    expect(reopened.stats().stateRecovered).toBe(true);
  });

  it('deletes a segment once every reading in it is acknowledged', async () => {
    const dir = newDir();
    const buffer = await open(dir, 1000, 4);
    for (const i of range(0, 10)) await buffer.append([numbered(i)]);
    const segments = () => readdirSync(dir).filter((f) => f.startsWith('seg-')).length;
    expect(segments()).toBe(3);
    await buffer.ack(9);
    expect(segments()).toBe(1);
    expect(held(await open(dir, 1000, 4))).toEqual([9]);
  });

  it('ackThrough(seq) removes only what is left of a round when drops overtook it', async () => {
    const buffer = await open(newDir(), 3);
    await buffer.append(range(0, 3).map(numbered));
    const round = buffer.peek(3); // being sent: seq 0..2
    await buffer.append([numbered(3), numbered(4)]); // the bound drops seq 0 and 1
    expect(await buffer.ackThrough(round.at(-1)?.seq ?? -1)).toBe(1);
    expect(held(buffer)).toEqual([3, 4]);
  });

  it('refuses to ack more than it holds', async () => {
    const buffer = await open(newDir());
    await buffer.append([numbered(0)]);
    expect(() => buffer.ack(2)).toThrow(/holds 1 readings/);
  });
});

describe('OfflineBuffer against a model', () => {
  type Op = { kind: 'append'; count: number } | { kind: 'ack'; count: number } | { kind: 'crash' };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('append' as const), count: fc.integer({ min: 1, max: 4 }) }),
    fc.record({ kind: fc.constant('ack' as const), count: fc.integer({ min: 0, max: 5 }) }),
    fc.record({ kind: fc.constant('crash' as const) }),
  );

  it('holds the newest unacknowledged readings and the drop count through any crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 20 }), async (ops) => {
        const dir = newDir();
        const max = 6;
        let buffer = await open(dir, max, 3);
        const model: number[] = [];
        let next = 0;
        let dropped = 0;
        for (const o of ops) {
          if (o.kind === 'append') {
            const batch = range(next, next + o.count);
            next += o.count;
            await buffer.append(batch.map(numbered));
            model.push(...batch);
            const excess = Math.max(0, model.length - max);
            model.splice(0, excess);
            dropped += excess;
          } else if (o.kind === 'ack') {
            const n = Math.min(o.count, model.length);
            await buffer.ack(n);
            model.splice(0, n);
          } else {
            buffer = await open(dir, max, 3); // the old instance is abandoned, not closed
          }
          expect(held(buffer)).toEqual(model);
          expect(buffer.stats().droppedReadings).toBe(dropped);
        }
        expect(held(await open(dir, max, 3))).toEqual(model);
      }),
      { numRuns: 30 },
    );
  });
});

describe('OfflineBuffer: a process killed with SIGKILL mid-stream', () => {
  const script = fileURLToPath(new URL('./helpers/buffer-writer.ts', import.meta.url));
  const root = fileURLToPath(new URL('../../', import.meta.url));

  it('keeps every reading it reported as fsynced, in order, with no gaps or repeats', async () => {
    const dir = newDir();
    const child = spawn(process.execPath, ['--import', 'tsx', script, dir], { cwd: root });
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.split('\n').length > 60) resolve();
      });
      child.once('exit', () => reject(new Error(`writer exited early: ${err}`)));
    });
    child.kill('SIGKILL');
    await exited;
    const reported = out
      .split('\n')
      .filter((l) => /^\d+$/.test(l))
      .map(Number);
    const lastReported = reported.at(-1) ?? -1;

    const reopened = await open(dir, 100_000);
    const survived = held(reopened);
    expect(survived.length).toBeGreaterThan(lastReported); // every reported one is there…
    expect(survived).toEqual(range(0, survived.length)); // …in order, none twice, none torn
    expect(reopened.peek(survived.length).map((e) => e.reading)).toEqual(
      survived.map((i) => numbered(i)),
    );
  });
});
