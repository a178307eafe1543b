import type { StoredReading } from '@airbox/contracts';
import type { RecalibrateOptions, RecalibrateResult, Recalibrator, SeriesQuery } from '../port.ts';
import { RecalibrationTally, decide, type Refuse } from '../recalibration.ts';
import { recalibrateChunkStatement, type Measurements } from './influxql.ts';
import { calibrationToLine } from './line-protocol.ts';
import type { WritePipeline } from './pipeline.ts';
import type { QueryRow } from './query-client.ts';
import { rowToReading } from './rows.ts';
import type { SpillRecord } from './spill.ts';

export interface InfluxRecalibrateRun {
  query: SeriesQuery;
  calibrate: Recalibrator;
  options: RecalibrateOptions;
  chunkSize: number;
  refuse: Refuse;
  measurements: Measurements;
  pipeline: WritePipeline;
  run: (statement: string) => Promise<QueryRow[]>;
  assertOpen: () => void;
}

/**
 * Recalibrates device by device, one chunk of at most chunkSize points at a time: read,
 * decide, rewrite the two calibration fields of the changed points through the write
 * pipeline (batched; acknowledged or spilled before the next chunk is read).
 */
export async function recalibratePoints(ctx: InfluxRecalibrateRun): Promise<RecalibrateResult> {
  const tally = new RecalibrationTally();
  for (const deviceId of ctx.query.deviceIds) {
    let fromMs: number | null = ctx.query.fromMs;
    while (fromMs !== null) {
      ctx.assertOpen();
      const statement = recalibrateChunkStatement(ctx.measurements, {
        deviceId,
        fromMs,
        toMs: ctx.query.toMs,
        limit: ctx.chunkSize,
      });
      const { readings, nextFromMs } = pageOf(
        (await ctx.run(statement)).map(rowToReading),
        ctx.chunkSize,
      );
      await rewrite(ctx, readings, tally);
      if (readings.length > 0) ctx.options.onProgress?.({ ...tally.result(), deviceId });
      fromMs = nextFromMs;
    }
  }
  return tally.result();
}

/**
 * The readings to handle now and where the next chunk starts. A device that changed its
 * format at one time stamp has two points there (format is a tag), and a full chunk may end
 * between them: the points of its last time are then left to the next chunk, which starts
 * at that time — unless the whole chunk is that one time.
 */
function pageOf(readings: StoredReading[], chunkSize: number) {
  const last = readings.at(-1);
  if (readings.length < chunkSize || last === undefined) return { readings, nextFromMs: null };
  const lastMs = Date.parse(last.time);
  const cut = readings.findIndex((r) => Date.parse(r.time) === lastMs);
  if (cut <= 0) return { readings, nextFromMs: lastMs + 1 };
  return { readings: readings.slice(0, cut), nextFromMs: lastMs };
}

async function rewrite(
  ctx: InfluxRecalibrateRun,
  readings: StoredReading[],
  tally: RecalibrationTally,
): Promise<void> {
  const records: SpillRecord[] = [];
  for (const reading of readings) {
    const decision = decide(reading, ctx.calibrate, ctx.refuse);
    if (decision.kind !== 'update') {
      tally.count(decision);
    } else if (decision.value === null && reading.pm25CalibratedUgM3 !== null) {
      // Line protocol has no null and a point keeps fields a rewrite leaves out: the old value
      // would stay under the new model id. Leave the point whole instead, and say so.
      tally.notCleared++;
    } else {
      const line = calibrationToLine(reading, decision.value, decision.model);
      records.push({ kind: 'reading', line });
    }
  }
  // The next chunk is read only once this one is durable, so its last, partial batch is
  // sent now rather than after flushIntervalMs (per device, that would add up).
  const [written] = await Promise.all([ctx.pipeline.submit(records), ctx.pipeline.flush()]);
  tally.updated += written;
  // A rewrite the server refused went to the dead letters (pipeline.ts); the point is as it was.
  tally.unchanged += records.length - written;
}
