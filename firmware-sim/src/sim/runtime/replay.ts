/**
 * Replay of a recorded dataset through virtual boxes: each recorded series becomes a box at
 * its recorded position whose virtual PMS5003 reads the recorded value, so the data takes
 * the same path as a live box's (frames, MQTT, worker, store). Readings keep their
 * original times; `--speed` compresses the run.
 *
 * Format (the AirBox March 2017 set, Chen et al. 2017, IEEE Access 5:14441, via cran/SLBDD):
 * `hourly-pm25-*.csv` with `hour_index,V1,…,Vn` (hour 1 = the first hour) and
 * `locations.csv` with `series,latitude,longitude`. The hours are taken as Asia/Taipei
 * local hours from `--replay-start` (default 2017-03-01 00:00 +08:00): the set's own
 * description says only "March 1–14, 2017".
 */
import { CodedError } from '@airbox/contracts';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BoxObservation } from '../model/index.ts';
import type { FleetSource, SimBox } from './source.ts';

export const REPLAY_DEFAULT_START = '2017-03-01T00:00:00+08:00';
const HOUR_MS = 3600_000;

/** A replay folder or start time the replay cannot use; the message names it. */
export class ReplayError extends CodedError<'REPLAY_INVALID'> {
  constructor(message: string) {
    super('REPLAY_INVALID', message);
  }
}

export interface ReplayDataset {
  /** Epoch ms of hour 1's start. */
  startMs: number;
  hours: number;
  boxes: SimBox[];
  /** values[box][hour], NaN where missing. */
  values: Float32Array[];
}

export function loadReplayDataset(dir: string, startIso = REPLAY_DEFAULT_START): ReplayDataset {
  const startMs = Date.parse(startIso);
  if (Number.isNaN(startMs)) throw new ReplayError(`--replay-start: '${startIso}' is not a time`);
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch (e) {
    throw new ReplayError(`${dir}: cannot read the replay folder (${(e as Error).message})`);
  }
  const hourly = files.find((f) => /^hourly-pm25.*\.csv$/.test(f));
  if (hourly === undefined || !files.includes('locations.csv')) {
    throw new ReplayError(`${dir}: expected hourly-pm25-*.csv and locations.csv`);
  }
  const positions = readLocations(join(dir, 'locations.csv'));
  const rows = readFileSync(join(dir, hourly), 'utf8').trim().split(/\r?\n/);
  const header = (rows[0] ?? '').split(',');
  if (header[0] !== 'hour_index') {
    throw new ReplayError(`${join(dir, hourly)}: first column must be hour_index`);
  }
  const series = header.slice(1);
  const hours = rows.length - 1;
  const values = series.map(() => new Float32Array(hours).fill(NaN));
  rows.slice(1).forEach((line, h) => {
    const cells = line.split(',');
    for (let s = 0; s < series.length; s++) {
      const v = Number(cells[s + 1]);
      // The set has no negatives or gaps, but a replayed file may: a gap stays a gap.
      if (cells[s + 1] !== '' && Number.isFinite(v) && v >= 0) values[s]![h] = v;
    }
  });
  const boxes: SimBox[] = [];
  const kept: Float32Array[] = [];
  series.forEach((name, s) => {
    const at = positions.get(name);
    if (at === undefined) return;
    boxes.push({ index: boxes.length, deviceId: `replay-${name}`, ...at, indoor: false });
    kept.push(values[s]!);
  });
  if (boxes.length === 0) {
    throw new ReplayError(`${dir}: no series in ${hourly} has a row in locations.csv`);
  }
  return { startMs, hours, boxes, values: kept };
}

function readLocations(path: string): Map<string, { lat: number; lon: number }> {
  const lines = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  if (lines[0] !== 'series,latitude,longitude') {
    throw new ReplayError(`${path}: header must be series,latitude,longitude`);
  }
  const out = new Map<string, { lat: number; lon: number }>();
  lines.slice(1).forEach((line, i) => {
    const [name, lat, lon] = line.split(',');
    const at = { lat: Number(lat), lon: Number(lon) };
    if (!name || !Number.isFinite(at.lat) || !Number.isFinite(at.lon)) {
      throw new ReplayError(`${path} line ${i + 2}: not 'series,latitude,longitude': '${line}'`);
    }
    out.set(name, at);
  });
  return out;
}

/**
 * The recorded value as the box's atmospheric PM2.5. The set has PM2.5 only: PM1 and PM10
 * are left out of the frame's meaning by sending typical urban ratios (PM1 ≈ 0.7·PM2.5,
 * PM10 ≈ 1.3·PM2.5), and T/RH are not recorded, so the box reports none.
 */
function observation(pm25: number): BoxObservation {
  const pm1 = 0.7 * pm25;
  const pm10 = 1.3 * pm25;
  return {
    pm1Cf1: pm1,
    pm25Cf1: pm25,
    pm10Cf1: pm10,
    pm1Atm: pm1,
    pm25Atm: pm25,
    pm10Atm: pm10,
    counts: { gt03um: 0, gt05um: 0, gt10um: 0, gt25um: 0, gt50um: 0, gt100um: 0 },
    temperatureC: NaN,
    humidityPct: NaN,
    fault: null,
  };
}

/** Each box reports once per recorded hour (interval 1 h), at the hour's end. */
export function replaySource(data: ReplayDataset): FleetSource {
  const NO_FRAME: BoxObservation = { ...observation(0), fault: 'fan-failure' };
  return {
    boxes: data.boxes,
    observe(box, timeMs) {
      const hour = Math.floor((timeMs - 1 - data.startMs) / HOUR_MS);
      const v = data.values[box.index]?.[hour];
      return v === undefined || Number.isNaN(v) ? NO_FRAME : observation(v);
    },
    online: () => true,
    // The report at an hour's end carries that hour's value, stamped with the hour's start
    // so it rolls up into its own hour.
    readingTimeMs: (_box, reportMs) => reportMs - HOUR_MS,
    phased: false,
    truth: () => null,
    stations: [],
    referenceHour: () => null,
  };
}
