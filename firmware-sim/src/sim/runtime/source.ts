/**
 * What the fleet runtime draws from: a set of boxes and, for each, what its sensors read at
 * a moment. Two sources exist: the simulated world (model/) and the replay of a recorded
 * dataset (replay.ts). Both are pure functions of (box, time), so the runtime may ask in any
 * order and a seed reproduces a run.
 */
import { stationDeviceId, type ReferenceStation } from '@airbox/geo';
import type { BoxObservation, BoxSpec, SimWorld, TruthSample } from '../model/index.ts';

export interface SimBox {
  index: number;
  deviceId: string;
  lat: number;
  lon: number;
  indoor: boolean;
}

export interface SimStation {
  siteId: string;
  /** The reading's device id, as LASS names EPA stations (`EPA-Hengchun`). */
  deviceId: string;
  lat: number;
  lon: number;
}

export interface FleetSource {
  readonly boxes: readonly SimBox[];
  /** One instantaneous sample of the box's sensors. */
  observe(box: SimBox, timeMs: number): BoxObservation;
  /** False during the box's Wi-Fi outages: it buffers and backfills later. */
  online(box: SimBox, timeMs: number): boolean;
  /** The time the box puts on the report made at `reportMs`: its clock may be wrong. */
  readingTimeMs(box: SimBox, reportMs: number): number;
  /** Report times are spread over the interval per box (live boxes), or all at its end. */
  readonly phased: boolean;
  /** What is really there, for the truth export; null when the source does not know. */
  truth(box: SimBox, timeMs: number): TruthSample | null;
  readonly stations: readonly SimStation[];
  /** A station's hourly mean for the hour starting at `hourStartMs`, or null (missing hour). */
  referenceHour(
    station: SimStation,
    hourStartMs: number,
  ): { pm25UgM3: number; pm10UgM3: number | null } | null;
}

export function simStation(s: ReferenceStation): SimStation {
  return { siteId: s.siteId, deviceId: stationDeviceId(s), lat: s.lat, lon: s.lon };
}

/** The simulated world as a fleet source. */
export function worldSource(world: SimWorld): FleetSource {
  const specs = world.boxes;
  const spec = (box: SimBox): BoxSpec => specs[box.index]!;
  return {
    boxes: specs.map((b) => ({
      index: b.index,
      deviceId: b.deviceId,
      lat: b.lat,
      lon: b.lon,
      indoor: b.indoor,
    })),
    observe: (box, t) => world.observe(spec(box), t),
    online: (box, t) => world.online(spec(box), t),
    readingTimeMs: (box, reportMs) => reportMs + spec(box).profile.clockOffsetMs,
    phased: true,
    truth: (box, t) => world.truthAtBox(spec(box), t),
    stations: world.stations.map(simStation),
    referenceHour(station, hourStartMs) {
      const r = world.referenceHour(station.siteId, hourStartMs);
      return r.pm25UgM3 === null ? null : { pm25UgM3: r.pm25UgM3, pm10UgM3: r.pm10UgM3 };
    },
  };
}
