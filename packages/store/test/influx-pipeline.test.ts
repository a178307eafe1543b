import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InfluxStoreError } from '../src/index.ts';
import { WritePipeline, type PipelineOptions } from '../src/influx/pipeline.ts';
import type { LineSink, SendOutcome } from '../src/influx/sink.ts';
import { SpillDir, type SpillRecord } from '../src/influx/spill.ts';
import { spillFiles, tempDir, waitUntil } from './influx-fixtures.ts';

/**
 * An in-memory server: up or down, refusing (400) any request that holds a line with
 * "BAD", optionally holding every request until released.
 */
class FakeSink implements LineSink {
  up = true;
  requests: string[][] = [];
  acknowledged: string[] = [];
  private gate: Promise<void> | null = null;
  private open: (() => void) | null = null;

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open?.();
    this.gate = null;
  }

  async send(lines: readonly string[]): Promise<SendOutcome> {
    this.requests.push([...lines]);
    await this.gate;
    if (!this.up)
      return {
        kind: 'unavailable',
        error: new InfluxStoreError('influx-unavailable', 'ECONNREFUSED'),
      };
    if (lines.some((l) => l.includes('BAD'))) {
      return {
        kind: 'refused',
        error: new InfluxStoreError('influx-refused', '400: field type conflict', { status: 400 }),
      };
    }
    this.acknowledged.push(...lines);
    return { kind: 'acknowledged' };
  }

  async close(): Promise<void> {}
}

const readings = (tag: string, n: number): SpillRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    kind: 'reading',
    line: `reading,device_id=${tag} pm25=${i} ${i}`,
  }));

describe('WritePipeline over an in-memory server', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let sink: FakeSink;
  let spill: SpillDir;
  let pipeline: WritePipeline;
  let corruptLines = 0;

  const start = async (more: Partial<PipelineOptions> = {}, maxSpillBytes = 1 << 20) => {
    spill = await SpillDir.open(dir.path, {
      maxBytes: maxSpillBytes,
      maxPointsPerFile: 25,
      nowMs: Date.now,
      onCorruptLine: () => corruptLines++,
    });
    pipeline = new WritePipeline(sink, spill, {
      batchSize: 20,
      flushIntervalMs: 5,
      concurrency: 2,
      maxBufferedReadings: 1_000,
      retryMinMs: 10,
      retryMaxMs: 50,
      retryJitter: 0.5,
      random: () => 0.5,
      logger: { warn: () => undefined, error: () => undefined },
      deadLetterFor: (line) =>
        `dead_letter,code=influx-refused payload_b64="${Buffer.from(line).toString('base64')}" 1`,
      ...more,
    });
  };

  beforeEach(async () => {
    dir = await tempDir('influx-pipeline');
    sink = new FakeSink();
    corruptLines = 0;
  });
  afterEach(async () => {
    await pipeline?.close();
    await spill?.close();
    await dir.remove();
  });

  it('bisects a refused batch down to the one bad point, which becomes a dead letter', async () => {
    await start({ batchSize: 64 });
    const records = readings('ok', 64);
    records[37] = { kind: 'reading', line: 'reading,device_id=BAD pm25="x" 1' };
    expect(await pipeline.submit(records)).toBe(63);
    expect(sink.acknowledged.filter((l) => l.startsWith('reading'))).toHaveLength(63);
    expect(sink.acknowledged.filter((l) => l.startsWith('dead_letter'))).toHaveLength(1);
    // 1 + 2 per halving (6 halvings of 64) + the dead letter.
    expect(sink.requests.length).toBeLessThanOrEqual(1 + 2 * 6 + 1);
    expect(pipeline.counters).toMatchObject({ refusedReadings: 1, retries: 0, pendingReadings: 0 });
  });

  it('drops (and counts) a dead letter the server refuses, instead of retrying it', async () => {
    await start();
    await pipeline.submit([{ kind: 'dead-letter', line: 'dead_letter,code=BAD x=1 1' }]);
    expect(pipeline.counters.droppedDeadLetters).toBe(1);
    expect(sink.requests).toHaveLength(1);
  });

  it('spills while the server is down and replays each point once when it is back', async () => {
    await start();
    sink.up = false;
    const all = [...readings('a', 30), ...readings('b', 30), ...readings('c', 30)];
    expect(
      await Promise.all([0, 30, 60].map((i) => pipeline.submit(all.slice(i, i + 30)))),
    ).toEqual([30, 30, 30]);
    expect(spill.readings).toBe(90);
    // While down, later batches go straight to disk: at most one failed request per lane.
    expect(sink.requests.length).toBeLessThanOrEqual(2 + 1);
    sink.up = true;
    await waitUntil(
      'the replay',
      () => spillFiles(dir.path),
      (f) => f.length === 0,
      5_000,
    );
    expect([...sink.acknowledged].sort()).toEqual(all.map((r) => r.line).sort());
    expect(pipeline.counters.retries).toBeGreaterThan(0);
    expect(pipeline.online).toBe(true);
  });

  it('spills overflow beyond maxBufferedReadings at once, even while the server is slow', async () => {
    await start({ maxBufferedReadings: 40 });
    sink.hold();
    const held = pipeline.submit(readings('held', 40));
    const overflow = await pipeline.submit(readings('over', 10));
    expect(overflow).toBe(10);
    expect(spill.readings).toBe(10);
    expect(pipeline.counters.pendingReadings).toBe(40);
    sink.release();
    expect(await held).toBe(40);
    await waitUntil(
      'the overflow replay',
      () => spillFiles(dir.path),
      (f) => f.length === 0,
      5_000,
    );
    expect(sink.acknowledged).toHaveLength(50);
  });

  it('rejects with influx-spill-full when the spill bound is reached, and counts the drop', async () => {
    await start({}, 2_000);
    sink.up = false;
    await expect(pipeline.submit(readings('full', 100))).rejects.toMatchObject({
      code: 'influx-spill-full',
    });
    // Batches that still fitted stay spilled (a redelivery overwrites them with the same values).
    expect(pipeline.counters.droppedReadings).toBeGreaterThan(0);
    expect(pipeline.counters.droppedReadings + spill.readings).toBe(100);
    expect(pipeline.counters.pendingReadings).toBe(0);
  });

  it('skips a line torn by a crash and replays the rest of the file', async () => {
    const good = JSON.stringify({ k: 'r', l: 'reading,device_id=x pm25=1 1' });
    await writeFile(join(dir.path, '001700000000000-000000.jsonl'), `${good}\n{"k":"r","l":"readi`);
    await start();
    expect(spill.readings).toBe(1);
    await waitUntil(
      'the replay at open',
      () => spillFiles(dir.path),
      (f) => f.length === 0,
      5_000,
    );
    expect(sink.acknowledged).toEqual(['reading,device_id=x pm25=1 1']);
    expect(corruptLines).toBe(1);
  });

  it('close() sends what is queued, then refuses new writes', async () => {
    await start({ flushIntervalMs: 60_000 });
    const pending = pipeline.submit(readings('late', 5));
    await pipeline.close();
    expect(await pending).toBe(5);
    await expect(pipeline.submit(readings('after', 1))).rejects.toMatchObject({
      code: 'influx-store-closed',
    });
  });
});
