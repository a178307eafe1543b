import type { DeadLetter } from '../port.ts';
import { parseInfluxConfig, type InfluxStoreConfig, type ResolvedInfluxConfig } from './config.ts';
import type { InfluxStoreError } from './errors.ts';
import { Measurements } from './influxql.ts';
import { DeadLetterIds, deadLetterToLine } from './line-protocol.ts';
import { WritePipeline, type InfluxLogger } from './pipeline.ts';
import { queryInfluxQl, quoteIdentifier, type QueryTarget } from './query-client.ts';
import { V1Sink, basicAuth, type LineSink } from './sink.ts';
import { SpillDir } from './spill.ts';
import { InfluxStore } from './store.ts';
import { SinkPool, V2Sink } from './v2-sink.ts';

/** Time, randomness, network and logging, injected so tests can replace them. */
export interface InfluxStoreDeps {
  fetch?: typeof fetch;
  nowMs?: () => number;
  random?: () => number;
  logger?: InfluxLogger;
}

/** Topic of the dead letter that replaces a reading the server refused (it had no topic). */
export const REFUSED_READING_TOPIC = 'store:influxdb';
const SILENT: InfluxLogger = { warn: () => undefined, error: () => undefined };

/**
 * Opens the store. The server need not be up: writes then go to the spill directory and are
 * replayed when it answers. Throws influx-config-invalid with every bad field listed.
 */
export async function openInfluxStore(
  config: InfluxStoreConfig,
  deps: InfluxStoreDeps = {},
): Promise<InfluxStore> {
  const cfg = parseInfluxConfig(config);
  const nowMs = deps.nowMs ?? Date.now;
  const logger = deps.logger ?? SILENT;
  const fetchFn = deps.fetch ?? globalThis.fetch;
  const url = cfg.url.replace(/\/+$/, '');
  const { spill, spillStats } = await openSpill(cfg, nowMs, logger);
  const { sink, target, measurements } = await connect(cfg, url, fetchFn, logger);
  const ids = new DeadLetterIds();
  const pipeline = new WritePipeline(sink, spill, {
    ...cfg,
    random: deps.random ?? Math.random,
    logger,
    deadLetterFor: refusedReadingLetters(ids, nowMs),
  });
  return new InfluxStore({
    config: cfg,
    pipeline,
    spill,
    sink,
    target,
    measurements,
    deadLetterIds: ids,
    nowMs,
    spillStats,
  });
}

/** The spill directory, counting (and logging) the torn lines it skips. */
async function openSpill(cfg: ResolvedInfluxConfig, nowMs: () => number, logger: InfluxLogger) {
  const spillStats = { corruptLines: 0 };
  const spill = await SpillDir.open(cfg.spillDir, {
    maxBytes: cfg.maxSpillBytes,
    maxPointsPerFile: cfg.spillFileMaxPoints,
    nowMs,
    onCorruptLine: (file, line) => {
      spillStats.corruptLines++;
      logger.warn({ file, line: line.slice(0, 200) }, 'influx: skipping a torn spill line');
    },
  });
  return { spill, spillStats };
}

/** The dead letter, as a line, that replaces a line the server refused. */
function refusedReadingLetters(ids: DeadLetterIds, nowMs: () => number) {
  return (line: string, error: InfluxStoreError): string => {
    const receivedMs = nowMs();
    const letter: DeadLetter = {
      receivedAt: new Date(receivedMs).toISOString(),
      topic: REFUSED_READING_TOPIC,
      payload: new TextEncoder().encode(line),
      clientId: null,
      // The sink refuses a point only with influx-refused (sink.ts).
      code: 'influx-refused',
      reason: error.message,
    };
    return deadLetterToLine(letter, ids.next(receivedMs));
  };
}

async function connect(
  cfg: ResolvedInfluxConfig,
  url: string,
  fetchFn: typeof fetch,
  logger: InfluxLogger,
): Promise<{ sink: LineSink; target: QueryTarget; measurements: Measurements }> {
  const timeoutMs = cfg.requestTimeoutMs;
  if (cfg.mode === 'v2') {
    const database = cfg.queryDatabase ?? cfg.bucket;
    const sinks = Array.from(
      { length: cfg.concurrency },
      () => new V2Sink({ ...cfg, url, timeoutMs, maxBatchPoints: cfg.batchSize }),
    );
    return {
      sink: new SinkPool(sinks),
      target: {
        url,
        database,
        headers: { authorization: `Token ${cfg.token}` },
        timeoutMs,
        fetch: fetchFn,
      },
      measurements: new Measurements(database, cfg.queryRetentionPolicy),
    };
  }
  const target: QueryTarget = {
    url,
    database: cfg.database,
    headers: basicAuth(cfg.username, cfg.password),
    timeoutMs,
    fetch: fetchFn,
  };
  const createDatabase = cfg.createDatabase
    ? async (): Promise<void> => {
        await queryInfluxQl(target, `CREATE DATABASE ${quoteIdentifier(cfg.database)}`);
      }
    : undefined;
  // Best effort: a server that is down now gets the database when a write meets "not found".
  await createDatabase?.().catch((err: unknown) =>
    logger.warn({ err }, 'influx: CREATE DATABASE failed'),
  );
  return {
    sink: new V1Sink({ ...cfg, url, timeoutMs, fetch: fetchFn, createDatabase }),
    target,
    measurements: new Measurements(cfg.database, cfg.retentionPolicy),
  };
}
