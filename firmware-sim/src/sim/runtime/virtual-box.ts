/**
 * One simulated box's firmware state: the report it makes at the end of each interval
 * (samples through the virtual PMS5003, trimmed mean, as the real sampler), its offline
 * backlog (bounded, drop-oldest, counted), and what it sends when connected — the same
 * payload builders as the real firmware, so a simulated batch is byte-for-byte what a
 * box that was offline would send.
 */
import type { NativeReading } from '@airbox/protocol';
import type { BufferedEntry } from '../../device/offline-buffer.ts';
import { lassMessages, nextNativeMessage, type OutgoingMessage } from '../../device/payloads.ts';
import { trimmedMean } from '../../device/sampler.ts';
import type { DeviceStatus } from '../../device/status.ts';
import type { SimBox, FleetSource } from './source.ts';
import type { VirtualPms5003 } from './virtual-pms.ts';
import type { Link } from './link.ts';

export const SIM_FIRMWARE = 'sim-0.1.0';

export interface BoxSettings {
  format: 'native' | 'lass';
  intervalMs: number;
  samplesPerReport: number;
  maxBacklog: number;
  maxPayloadBytes: number;
  maxInFlight: number;
  /** Real-time spacing of messages, under the broker's per-client rate (default 5/s). */
  minMessageGapMs: number;
  /** Sim time the fleet started: LASS `tick` counts from it. */
  bootMs: number;
}

interface Entry extends BufferedEntry<NativeReading> {
  sent: boolean;
}

export class VirtualBox {
  readonly box: SimBox;
  link: Link | null = null;
  connecting = false;
  /** Real time before which no reconnect is tried (backoff after a refused connect). */
  retryAtMs = 0;
  droppedReadings = 0;
  lastError: string | null = null;
  /** The fleet's cached Wi-Fi state (sim time of the lookup, and its answer). */
  onlineCheckedAtMs = -Infinity;
  lastOnline = true;
  /** Logged in with credentials: publishes native status (an anonymous LASS box does not). */
  speaksStatus = false;
  readonly #backlog: Entry[] = [];
  #seq = 0;
  #nextSendAtMs = 0;

  constructor(box: SimBox) {
    this.box = box;
  }

  get backlog(): number {
    return this.#backlog.length;
  }

  /** The reading for the interval ending at `timeMs` (sim time), into the backlog. */
  report(source: FleetSource, pms: VirtualPms5003, s: BoxSettings, timeMs: number): NativeReading {
    const pm1: (number | null)[] = [];
    const pm25: (number | null)[] = [];
    const pm10: (number | null)[] = [];
    const t: number[] = [];
    const rh: number[] = [];
    for (let i = 0; i < s.samplesPerReport; i++) {
      const at = timeMs - ((s.samplesPerReport - 1 - i) * s.intervalMs) / s.samplesPerReport;
      const o = source.observe(this.box, at);
      const sample = pms.sample(o);
      if (sample !== null) {
        pm1.push(sample.pm1UgM3);
        pm25.push(sample.pm25UgM3);
        pm10.push(sample.pm10UgM3);
      }
      t.push(o.temperatureC);
      rh.push(o.humidityPct);
    }
    if (pm25.length === 0) this.lastError = 'PMS5003: no frame (fan stopped?)';
    const reading: NativeReading = {
      time: new Date(source.readingTimeMs(this.box, timeMs)).toISOString(),
      lat: this.box.lat,
      lon: this.box.lon,
      pm1UgM3: trimmedMean(pm1),
      pm25UgM3: trimmedMean(pm25),
      pm10UgM3: trimmedMean(pm10),
      temperatureC: trimmedMean(t),
      humidityPct: trimmedMean(rh),
      firmware: SIM_FIRMWARE,
    };
    this.#backlog.push({ seq: ++this.#seq, reading, sent: false });
    if (this.#backlog.length > s.maxBacklog) {
      this.#backlog.shift();
      this.droppedReadings++;
    }
    return reading;
  }

  /**
   * Sends what is unsent while the link allows; returns the publishes started, each settling
   * when acknowledged (the readings leave the backlog) or when the link drops (they are sent
   * again on the next connection).
   */
  flush(s: BoxSettings, nowRealMs: number, onAck: (readings: number) => void): number {
    const link = this.link;
    let started = 0;
    while (
      link !== null &&
      link.state === 'open' &&
      link.inFlight < s.maxInFlight &&
      nowRealMs >= this.#nextSendAtMs
    ) {
      const unsent = this.#backlog.filter((e) => !e.sent);
      if (unsent.length === 0) break;
      const msg = this.#nextMessage(unsent, s);
      if (msg === null) break;
      const covered = unsent.filter((e) => e.seq <= msg.lastSeq);
      for (const e of covered) e.sent = true;
      started++;
      this.#nextSendAtMs = nowRealMs + s.minMessageGapMs;
      link.publish(msg.topic, msg.payload).then(
        () => {
          const acked = new Set(covered);
          const before = this.#backlog.length;
          this.#removeWhere((e) => acked.has(e));
          onAck(before - this.#backlog.length);
        },
        () => {
          for (const e of covered) e.sent = false;
        },
      );
    }
    return started;
  }

  /** Retained status: the same shape as the real firmware's. */
  status(s: BoxSettings, online: boolean, nowSimMs: number): DeviceStatus {
    return {
      online,
      deviceId: this.box.deviceId,
      firmware: SIM_FIRMWARE,
      uptimeS: Math.round((nowSimMs - s.bootMs) / 1000),
      backlog: this.#backlog.length,
      droppedReadings: this.droppedReadings,
      lastError: this.lastError,
      format: s.format,
      intervalS: s.intervalMs / 1000,
      samplesPerReport: s.samplesPerReport,
      time: new Date(nowSimMs).toISOString(),
    };
  }

  #nextMessage(unsent: Entry[], s: BoxSettings): OutgoingMessage | null {
    if (s.format === 'native') {
      return nextNativeMessage(this.box.deviceId, unsent, unsent.length, s.maxPayloadBytes);
    }
    const identity = { app: 'PM25', device: 'AirBox-sim', verApp: SIM_FIRMWARE, bootMs: s.bootMs };
    return lassMessages(this.box.deviceId, unsent.slice(0, 1), identity)[0] ?? null;
  }

  #removeWhere(drop: (e: Entry) => boolean): void {
    let w = 0;
    for (const e of this.#backlog) if (!drop(e)) this.#backlog[w++] = e;
    this.#backlog.length = w;
  }
}
