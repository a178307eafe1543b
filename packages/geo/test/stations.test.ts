import { describe, expect, it } from 'vitest';
import { loadReferenceStations } from '../src/index.ts';

describe('bundled MOENV station list', () => {
  it('holds the 77 stations, all inside Taiwan and its islands', () => {
    const stations = loadReferenceStations();
    expect(stations).toHaveLength(77);
    for (const s of stations) {
      expect(s.lat, s.nameEn).toBeGreaterThan(21.8);
      expect(s.lat, s.nameEn).toBeLessThan(26.5);
      expect(s.lon, s.nameEn).toBeGreaterThan(118);
      expect(s.lon, s.nameEn).toBeLessThan(122.1);
    }
    expect(stations[0]).toEqual({
      siteId: '1',
      nameZh: '基隆',
      nameEn: 'Keelung',
      county: '基隆市',
      siteType: '一般測站',
      lat: 25.129167,
      lon: 121.760056,
    });
  });
});
