import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  createSimWorld,
  Fleet,
  loadReplayDataset,
  replaySource,
  ReplayError,
  TruthWriter,
  worldSource,
  type Credentials,
  type FleetProgress,
  type FleetSource,
} from '@airbox/firmware-sim';
import { parseCommandArgs, positiveNumber } from '../args.ts';
import { UsageError, writeLine, type CliIo, type Command } from '../io.ts';
import { waitForSignal } from '../signals.ts';
import { dataDirRegistry, withRegistry } from '../registry-options.ts';
import { indoorBoxIds, SIM_REFERENCE_ACCOUNT, simCredentials } from '../sim-credentials.ts';

const usage = `usage: airbox sim [--devices N] [--broker URL] [--seed K] [--speed X|max] [--duration S]
                 [--format native|lass] [--credentials FILE | --data-dir DIR] [--truth FILE.csv]
                 [--replay DIR [--replay-start ISO]]

A fleet of virtual boxes over real MQTT: each box has a virtual PMS5003 whose byte frames go
through the firmware's own driver, a virtual T/RH sensor, realistic sensor error (gain,
humidity growth, drift, noise, fan failures, wrong clocks, indoor boxes) and Wi-Fi outages
with backfill; a simulated reference network publishes hourly station values. Progress on
stderr; a JSON summary on stdout at the end.

  --devices N        boxes (default 100): two beside each reference station first, then
                     spread over Taiwan's populated areas
  --broker URL       mqtt://host:port (default mqtt://127.0.0.1:1883)
  --seed K           same seed, same fleet and same readings (default 1)
  --speed X|max      simulated seconds per real second (default 1); max: as fast as the
                     broker acknowledges. Faster than real time, the run ends "now".
  --duration S       simulated seconds to run (default: until Ctrl-C; replay: the whole set)
  --start ISO        simulated start time (default: now, or now − duration when faster)
  --interval S       report interval (default 60; replay 3600)
  --batch-every S    seconds between one box's messages (default 0.25); longer sends what
                     was made meanwhile as one batch (native): fewer messages at high --speed
  --format F         native (default) or lass (ver_format 3 on LASS/Test/PM25/<id>)
  --credentials FILE JSON lines {"deviceId","username","password"} (as 'airbox device add'
                     prints), one per box; a line whose deviceId is "sim-reference" logs in
                     the reference network (it must be a --service account)
  --data-dir DIR     the data dir of 'airbox serve': registers the boxes and a service
                     account there and uses fresh credentials (works while serve runs)
  --truth FILE.csv   write the true values at every report (deviceId,time,indoor,pm25UgM3,…)
  --replay DIR       replay a recorded set (hourly-pm25-*.csv + locations.csv, e.g. the
                     AirBox March 2017 set) through virtual boxes instead of simulating
  --replay-start ISO the set's first hour (default 2017-03-01T00:00:00+08:00)`;

const CredentialLine = z.object({
  deviceId: z.string(),
  username: z.string(),
  password: z.string(),
});

/** `--credentials FILE`: one JSON object per line; errors name the line. */
function readCredentialsFile(path: string): Map<string, Credentials> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`--credentials ${path}: ${(e as Error).message}`);
  }
  const out = new Map<string, Credentials>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new UsageError(`--credentials ${path} line ${i + 1}: not JSON`);
    }
    const parsed = CredentialLine.safeParse(json);
    if (!parsed.success) {
      throw new UsageError(
        `--credentials ${path} line ${i + 1}: needs "deviceId", "username" and "password" strings`,
      );
    }
    out.set(parsed.data.deviceId, parsed.data);
  });
  return out;
}

function parseBroker(url: string): { host: string; port: number } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--broker '${url}' is not a URL (e.g. mqtt://127.0.0.1:1883)`);
  }
  if (u.protocol !== 'mqtt:' && u.protocol !== 'tcp:') {
    throw new UsageError(`--broker '${url}': only mqtt:// (plain TCP) is simulated`);
  }
  return { host: u.hostname, port: u.port === '' ? 1883 : Number(u.port) };
}

function parseSpeed(value: string | undefined): number | 'max' {
  if (value === 'max') return 'max';
  return positiveNumber('speed', value, 1);
}

export function describeProgress(p: FleetProgress): string {
  const n = (v: number) => v.toLocaleString('en-US');
  return (
    `sim ${p.simTime.slice(0, 16)}Z | ${n(p.connected)}/${n(p.boxes)} connected, ` +
    `${n(p.inOutage)} in outage | ${n(p.readingsMade)} readings, ${n(p.readingsAcked)} acked ` +
    `(${n(p.ackedPerS)}/s), backlog ${n(p.backlog)}, dropped ${n(p.droppedReadings)} | ` +
    `reference ${n(p.referenceReadings)}`
  );
}

const SIM_OPTIONS = {
  devices: { type: 'string' },
  broker: { type: 'string' },
  seed: { type: 'string' },
  speed: { type: 'string' },
  duration: { type: 'string' },
  start: { type: 'string' },
  interval: { type: 'string' },
  'batch-every': { type: 'string' },
  format: { type: 'string' },
  credentials: { type: 'string' },
  'data-dir': { type: 'string' },
  truth: { type: 'string' },
  replay: { type: 'string' },
  'replay-start': { type: 'string' },
} as const;

type SimValues = ReturnType<typeof parseCommandArgs<typeof SIM_OPTIONS>>['values'];

/** What the fleet runs through: its boxes and stations, from when, how long, how often. */
interface SimRun {
  source: FleetSource;
  startMs: number;
  durationMs: number | null;
  intervalMs: number;
}

export const simCommand: Command = {
  name: 'sim',
  summary: 'simulate a fleet of boxes and a reference network over MQTT (or replay a data set)',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values: v } = parseCommandArgs(argv, SIM_OPTIONS);
    const format = v.format ?? 'native';
    if (format !== 'native' && format !== 'lass') {
      throw new UsageError(`--format must be native or lass, got '${format}'`);
    }
    if (v.credentials !== undefined && v['data-dir'] !== undefined) {
      throw new UsageError('give --credentials or --data-dir, not both');
    }
    const seed = Math.floor(positiveNumber('seed', v.seed, 1));
    const speed = parseSpeed(v.speed);
    const broker = parseBroker(v.broker ?? 'mqtt://127.0.0.1:1883');
    const sim = simRun(v, seed, speed, io.now());
    const { creds, service } = await simLogins(v, sim.source, format, io);
    const truth = v.truth === undefined ? undefined : new TruthWriter(v.truth);
    const fleet = new Fleet({
      ...sim,
      broker,
      credentials: (id) => creds.get(id) ?? null,
      service,
      format,
      speed,
      messageGapMs: positiveNumber('batch-every', v['batch-every'], 0.25) * 1000,
      truth,
      now: io.now,
      onProgress: (p) => io.stderr.write(describeProgress(p) + '\n'),
    }).start();
    const final = await Promise.race([fleet.done, waitForSignal().then(() => fleet.stop())]);
    await writeLine(io.stdout, JSON.stringify({ ...final, truthFile: truth?.path ?? null }));
    return 0;
  },
};

/** A replayed data set (--replay, hourly), or a simulated world of --devices boxes. */
function simRun(v: SimValues, seed: number, speed: number | 'max', nowMs: number): SimRun {
  let durationMs: number | null =
    v.duration === undefined ? null : positiveNumber('duration', v.duration, 1) * 1000;
  let run: SimRun;
  if (v.replay !== undefined) {
    let data;
    try {
      data = loadReplayDataset(v.replay, v['replay-start']);
    } catch (e) {
      if (e instanceof ReplayError) throw new UsageError(e.message);
      throw e;
    }
    durationMs ??= data.hours * 3600_000;
    run = { source: replaySource(data), startMs: data.startMs, durationMs, intervalMs: 3600_000 };
  } else {
    const faster = speed === 'max' || speed > 1;
    if (faster && durationMs === null) {
      throw new UsageError('faster than real time needs --duration (the run ends "now")');
    }
    const startMs = defaultStart(v.start, nowMs, faster ? durationMs : null);
    const boxes = Math.floor(positiveNumber('devices', v.devices, 100));
    const source = worldSource(createSimWorld({ seed, boxes, startMs }));
    run = { source, startMs, durationMs, intervalMs: 60_000 };
  }
  if (v.interval !== undefined) run.intervalMs = positiveNumber('interval', v.interval, 60) * 1000;
  return run;
}

/**
 * The boxes' and the reference service's logins: from --credentials, registered in
 * --data-dir's registry, or none (said on stderr, with what follows from it).
 */
async function simLogins(
  v: SimValues,
  source: FleetSource,
  format: 'native' | 'lass',
  io: CliIo,
): Promise<{ creds: Map<string, Credentials>; service: Credentials | null }> {
  const ids = [...source.boxes.map((b) => b.deviceId), SIM_REFERENCE_ACCOUNT];
  let creds: Map<string, Credentials>;
  if (v.credentials !== undefined) creds = readCredentialsFile(v.credentials);
  else if (v['data-dir'] !== undefined) {
    // Registered where the world puts them: indoor boxes stay off the map and surface.
    creds = await withRegistry(dataDirRegistry(v['data-dir']), io.now, (r) =>
      simCredentials(r.devices, ids, indoorBoxIds(source.boxes)),
    );
  } else creds = new Map();
  if (creds.size === 0 && format === 'native') {
    io.stderr.write(
      'airbox sim: no credentials (--credentials or --data-dir): boxes connect anonymously, which a broker accepts only for LASS topics with --allow-anonymous-lass\n',
    );
  }
  const service = creds.get(SIM_REFERENCE_ACCOUNT) ?? null;
  if (service === null && source.stations.length > 0) {
    io.stderr.write('airbox sim: no sim-reference service login: stations are not published\n');
  }
  return { creds, service };
}

function defaultStart(start: string | undefined, nowMs: number, backMs: number | null): number {
  if (start !== undefined) {
    const ms = Date.parse(start);
    if (Number.isNaN(ms)) throw new UsageError(`--start '${start}' is not an ISO 8601 time`);
    return ms;
  }
  return backMs === null ? nowMs : nowMs - backMs;
}
