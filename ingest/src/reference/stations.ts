import { stationDeviceId, type ReferenceStation } from '@airbox/geo';

export type { ReferenceStation };
// The station id rule lives in @airbox/geo (the map, the simulator and the feed share it):
// `EPA-<English name>` as LASS writes it (`EPA-Hengchun`, `EPA-FugueiCape`).
export { stationDeviceId };

/**
 * `臺` and `台` are one character in two forms, and MOENV writes both (`臺西` in the AQX
 * feed, `台中市` in newer counties); names compare in the `臺` form.
 */
export function normalizeZhName(name: string): string {
  return name.trim().replaceAll('台', '臺');
}

/** English names compare without case, spaces or punctuation (`Fuguei Cape` = `FugueiCape`). */
function normalizeEnName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Looks stations up by site id, Chinese name, English name or device id. */
export class StationIndex {
  readonly stations: readonly ReferenceStation[];
  private readonly bySiteId = new Map<string, ReferenceStation>();
  private readonly byZh = new Map<string, ReferenceStation>();
  private readonly byEn = new Map<string, ReferenceStation>();
  private readonly byDeviceId = new Map<string, ReferenceStation>();

  constructor(stations: readonly ReferenceStation[]) {
    this.stations = stations;
    for (const s of stations) {
      setIfNamed(this.bySiteId, s.siteId.trim(), s);
      setIfNamed(this.byZh, normalizeZhName(s.nameZh), s);
      setIfNamed(this.byEn, normalizeEnName(s.nameEn), s);
      this.byDeviceId.set(stationDeviceId(s), s);
    }
  }

  bySite(siteId: string): ReferenceStation | undefined {
    return this.bySiteId.get(siteId.trim());
  }

  byChineseName(name: string): ReferenceStation | undefined {
    return this.byZh.get(normalizeZhName(name));
  }

  byDevice(deviceId: string): ReferenceStation | undefined {
    return this.byDeviceId.get(deviceId);
  }

  /** A CSV `station` cell: a site id, an English name or a Chinese name. */
  byAnyName(key: string): ReferenceStation | undefined {
    const k = key.trim();
    if (k === '') return undefined;
    return this.bySite(k) ?? this.byChineseName(k) ?? this.byEn.get(normalizeEnName(k));
  }
}

function setIfNamed(map: Map<string, ReferenceStation>, key: string, s: ReferenceStation) {
  if (key !== '') map.set(key, s);
}

export function asIndex(stations: readonly ReferenceStation[] | StationIndex): StationIndex {
  return stations instanceof StationIndex ? stations : new StationIndex(stations);
}
