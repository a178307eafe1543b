import { sharedData } from '@airbox/testkit';
import { describe, expect, it } from 'vitest';
import { readAirboxHours, TAIWAN_BBOX } from '../src/airbox-2017-03.ts';
import { computeSurface, leaveOneOut } from '@airbox/web';

const locations = sharedData('airbox-2017-03/locations.csv', 'GPL-3.0');
const hourly = sharedData('airbox-2017-03/hourly-pm25-days01-14.csv', 'GPL-3.0');
const skip = locations.path === null || hourly.path === null;
const reason = locations.skipReason || hourly.skipReason;

// One night hour, one busy afternoon and two others across the fortnight (1–14 March 2017).
const HOURS = [3, 100, 200, 300];

describe('surface on real AirBox hours (SLBDD, March 2017)', () => {
  const data = skip ? null : readAirboxHours(locations.path ?? '', hourly.path ?? '');

  it.skipIf(skip)(`reads the boxes in Taiwan and leaves out those abroad ${reason}`, () => {
    expect(data?.sitesListed).toBe(516);
    // Singapore ×2, Kuala Lumpur, Manila, Hanoi and Kinmen lie outside TAIWAN_BBOX.
    expect(data?.sitesKept).toBe(510);
    const points = data?.hour(1) ?? [];
    const [w, s, e, n] = TAIWAN_BBOX;
    expect(points.every((p) => p.lon >= w && p.lon <= e && p.lat >= s && p.lat <= n)).toBe(true);
  });

  it.skipIf(skip)(`prints the leave-one-out error of IDW and kriging ${reason}`, () => {
    const rows = HOURS.map((hour) => {
      const points = data?.hour(hour) ?? [];
      const idw = leaveOneOut(points, 'idw');
      const ok = leaveOneOut(points, 'kriging');
      return { hour, boxes: points.length, idw, ok };
    });
    console.log(
      [
        'leave-one-out on AirBox hours (µg/m³; boxes with another within 5 km)',
        'hour  boxes  n    IDW RMSE  IDW MAE  kriging RMSE  kriging MAE',
        ...rows.map((r) =>
          [
            String(r.hour).padEnd(5),
            String(r.boxes).padEnd(6),
            String(r.idw.n).padEnd(4),
            r.idw.rmse.toFixed(2).padStart(8),
            r.idw.mae.toFixed(2).padStart(8),
            r.ok.rmse.toFixed(2).padStart(13),
            r.ok.mae.toFixed(2).padStart(12),
          ].join(' '),
        ),
      ].join('\n'),
    );
    for (const r of rows) {
      expect(r.idw.n).toBeGreaterThan(400);
      expect(r.ok.n).toBe(r.idw.n);
      for (const e of [r.idw.rmse, r.idw.mae, r.ok.rmse, r.ok.mae]) {
        expect(Number.isFinite(e)).toBe(true);
        expect(e).toBeGreaterThan(0);
        expect(e).toBeLessThan(50);
      }
      expect(r.ok.rmse).toBeLessThanOrEqual(1.2 * r.idw.rmse);
    }
  });

  it.skipIf(skip)(`leaves the sea and the box-free mountains unpainted ${reason}`, () => {
    const points = data?.hour(100) ?? [];
    for (const method of ['idw', 'kriging'] as const) {
      const s = computeSurface(points, { method });
      const [west, south, east, north] = s.bbox;
      const at = (lat: number, lon: number) => {
        const col = Math.floor(((lon - west) / (east - west)) * s.width);
        const row = Math.floor(((north - lat) / (north - south)) * s.height);
        return s.values[row * s.width + col];
      };
      // Taiwan Strait between Penghu and Chiayi; the Central Range above Hualien; the
      // Pacific off Taitung. Taipei's Da'an district, full of boxes, is painted.
      expect(at(23.5, 119.9), method).toBeNaN();
      expect(at(23.9, 121.1), method).toBeNaN();
      expect(at(22.9, 121.5), method).toBeNaN();
      expect(at(25.03, 121.54), method).not.toBeNaN();
      expect(s.cellsPainted / (s.width * s.height)).toBeLessThan(0.3);
      expect(s.looN).toBeGreaterThan(400);
    }
  });
});
