import type { Scale } from '@airbox/aqi';
import type { HourlyRow, Reading, Station } from '../api.ts';
import type { ValueMode } from '../aqi.ts';

/** What the user chose in the map's controls. */
export interface MapSettings {
  scale: Scale;
  mode: ValueMode;
  showStations: boolean;
  showSurface: boolean;
  showIndoor: boolean;
  /** 0 = live; n = the hour that started n hours before the current one. */
  hoursAgo: number;
}

export const DEFAULT_SETTINGS: MapSettings = {
  scale: 'tw',
  mode: 'calibrated',
  showStations: true,
  showSurface: false,
  showIndoor: false,
  hoursAgo: 0,
};

export const HOURS_BACK = 24;

/**
 * One thing drawn on the map, with both its values: the map layer shows one of them
 * (shownPm25) in its AQI colour.
 */
export interface MapPoint {
  id: string;
  kind: 'box' | 'reference';
  position: [number, number];
  pm25UgM3: number | null;
  pm25CalibratedUgM3: number | null;
  /** Time of the values (reading time, or the hour's start). */
  time: string;
  /**
   * How far to trust the box's values, 0 … 1 (its health): a doubtful box is drawn faded,
   * a faulty one (0) is left out of the hexagons. 1 for stations and when not told.
   */
  confidence: number;
}

/** Everything the map draws from: newest readings, stations, and the last day's hours. */
export class MapData {
  /** Newest reading of each box and station, by device id. */
  readonly latest = new Map<string, Reading>();
  /** Reference stations by device id (`EPA-<nameEn>`), for their fixed positions. */
  readonly stations = new Map<string, Station>();
  /** Hourly means of the last day by `${deviceId}\n${hour}`; null until first needed. */
  hourly: Map<string, HourlyRow> | null = null;

  /** Keeps a reading if it is the newest of its device; true when the map must redraw. */
  upsert(r: Reading): boolean {
    const held = this.latest.get(r.deviceId);
    if (held !== undefined && held.time > r.time) return false;
    // The live stream carries no confidence: the box keeps the one last fetched.
    if (r.confidence === undefined && held?.confidence !== undefined) {
      r = { ...r, confidence: held.confidence };
    }
    const station = this.stations.get(r.deviceId);
    // A station relayed without a position is still at its listed site.
    const placed =
      station !== undefined && r.lat === null ? { ...r, lat: station.lat, lon: station.lon } : r;
    this.latest.set(r.deviceId, placed);
    return true;
  }

  setStations(stations: Station[]): void {
    for (const s of stations) this.stations.set(s.deviceId, s);
    for (const s of stations)
      if (s.latest !== null) this.upsert({ ...s.latest, kind: 'reference' });
  }

  setHourly(rows: HourlyRow[]): void {
    this.hourly = new Map(rows.map((row) => [`${row.deviceId}\n${row.hour}`, row] as const));
  }
}

/** Start of the UTC hour `hoursAgo` before the current one, ISO (the roll-up's `hour`). */
export function hourStartIso(nowMs: number, hoursAgo: number): string {
  const hourMs = 3_600_000;
  return new Date(Math.floor(nowMs / hourMs) * hourMs - hoursAgo * hourMs).toISOString();
}

/** The points to draw for these settings at `nowMs`. */
export function mapPoints(data: MapData, s: MapSettings, nowMs: number): MapPoint[] {
  const hour = s.hoursAgo > 0 ? hourStartIso(nowMs, s.hoursAgo) : null;
  const points: MapPoint[] = [];
  for (const r of data.latest.values()) {
    if (r.lat === null || r.lon === null) continue;
    if (r.kind === 'box' && r.indoor === true && !s.showIndoor) continue;
    if (r.kind === 'reference' && !s.showStations) continue;
    const row = hour === null ? r : data.hourly?.get(`${r.deviceId}\n${hour}`);
    if (row === undefined) continue;
    points.push({
      id: r.deviceId,
      kind: r.kind,
      position: [r.lon, r.lat],
      pm25UgM3: row.pm25UgM3,
      pm25CalibratedUgM3: row.pm25CalibratedUgM3,
      time: hour ?? r.time,
      confidence: r.confidence ?? 1,
    });
  }
  if (s.showStations) {
    // Stations with no reading yet are drawn grey: the network is visible before its data.
    for (const st of data.stations.values()) {
      if (data.latest.has(st.deviceId)) continue;
      points.push({
        id: st.deviceId,
        kind: 'reference',
        position: [st.lon, st.lat],
        pm25UgM3: null,
        pm25CalibratedUgM3: null,
        time: '',
        confidence: 1,
      });
    }
  }
  return points;
}
