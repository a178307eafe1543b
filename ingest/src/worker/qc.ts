import type { FlagCode, Reading } from '@airbox/contracts';
import { distanceM } from '@airbox/geo';

/**
 * The QC checks that need a device's history (the stateless ones run in the decoder).
 * Heuristics, tuned to flag rather than to reject: a flagged reading is still stored.
 */
export const QC_LIMITS = {
  /** Readings kept per device for the spike median. */
  historySize: 5,
  /** A spike: more than this many times the recent median … */
  spikeRatio: 5,
  /** … and at least this far above it (µg/m³), so clean-air noise (2 → 11) is not one. */
  spikeMinJumpUgM3: 50,
  /** Identical PM2.5 and PM10 this many times in a row: a stuck sensor or a dead fan. */
  stuckRepeats: 60,
  /** Faster than this between two positions is no car: the position jumped. */
  maxSpeedKmH: 200,
  /** Devices whose history is kept; the least recently seen are forgotten first. */
  maxDevices: 200_000,
} as const;

interface DeviceHistory {
  recentPm25: number[];
  lastKey: string | null;
  repeats: number;
  lastTimeMs: number;
  lastLat: number | null;
  lastLon: number | null;
}

export class HistoryQc {
  private readonly devices = new Map<string, DeviceHistory>();

  /** Adds `spike`, `stuck` and `position-jump` flags. Mutates the readings' flag arrays. */
  check(readings: Reading[]): void {
    for (const r of readings) this.checkOne(r);
  }

  get trackedDevices(): number {
    return this.devices.size;
  }

  private checkOne(r: Reading): void {
    const timeMs = r.time === null ? NaN : Date.parse(r.time);
    const h = this.history(r.deviceId);
    const flags: FlagCode[] = r.flags;
    if (r.pm25UgM3 !== null && isSpike(r.pm25UgM3, h.recentPm25)) flags.push('spike');
    const key = r.pm25UgM3 === null ? null : `${r.pm25UgM3}/${r.pm10UgM3}`;
    const repeats = key !== null && key === h.lastKey ? h.repeats + 1 : 1;
    if (repeats >= QC_LIMITS.stuckRepeats) flags.push('stuck');
    if (jumped(h, r, timeMs)) flags.push('position-jump');

    // Late readings are checked against the present state but do not rewrite it.
    if (!(timeMs >= h.lastTimeMs)) return;
    h.lastTimeMs = timeMs;
    h.lastKey = key;
    h.repeats = repeats;
    if (r.pm25UgM3 !== null) {
      h.recentPm25.push(r.pm25UgM3);
      if (h.recentPm25.length > QC_LIMITS.historySize) h.recentPm25.shift();
    }
    if (r.lat !== null && r.lon !== null) {
      h.lastLat = r.lat;
      h.lastLon = r.lon;
    }
  }

  private history(deviceId: string): DeviceHistory {
    let h = this.devices.get(deviceId);
    if (h === undefined) {
      h = {
        recentPm25: [],
        lastKey: null,
        repeats: 0,
        lastTimeMs: -Infinity,
        lastLat: null,
        lastLon: null,
      };
      if (this.devices.size >= QC_LIMITS.maxDevices) {
        const oldest = this.devices.keys().next().value;
        if (oldest !== undefined) this.devices.delete(oldest);
      }
    } else {
      this.devices.delete(deviceId); // re-insert: Map order is recency order
    }
    this.devices.set(deviceId, h);
    return h;
  }
}

function isSpike(pm25: number, recent: number[]): boolean {
  if (recent.length < 3) return false;
  const sorted = [...recent].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return pm25 > median * QC_LIMITS.spikeRatio && pm25 - median >= QC_LIMITS.spikeMinJumpUgM3;
}

function jumped(h: DeviceHistory, r: Reading, timeMs: number): boolean {
  if (h.lastLat === null || h.lastLon === null || r.lat === null || r.lon === null) return false;
  const hours = Math.abs(timeMs - h.lastTimeMs) / 3_600_000;
  const km = distanceM({ lat: h.lastLat, lon: h.lastLon }, { lat: r.lat, lon: r.lon }) / 1000;
  return km > 1 && km / Math.max(hours, 1 / 60) > QC_LIMITS.maxSpeedKmH;
}
