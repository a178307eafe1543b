/**
 * The simulated truth looks like Taiwan's air, and the simulated reference network sees it
 * the way a reference monitor would: the checks a calibration or map developer would make
 * before trusting the simulator.
 */
import { describe, expect, it } from 'vitest';
import { createSimWorld, localHour, type SimWorld } from '../src/sim/model/index.ts';

const HOUR = 3_600_000;
const WINTER = Date.UTC(2026, 0, 1);
const SUMMER = Date.UTC(2026, 6, 1);
const KM_LAT = 111.2;
const KM_LON = 111.2 * Math.cos((23.7 * Math.PI) / 180);

const TAIPEI = { lat: 25.04, lon: 121.54 };
const TAICHUNG = { lat: 24.15, lon: 120.67 };
const KAOHSIUNG = { lat: 22.63, lon: 120.31 };
const HUALIEN = { lat: 23.98, lon: 121.6 };

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

function correlation(xs: number[], ys: number[]): number {
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Hourly truth at a place for `days` days from `fromMs`. */
function hourly(w: SimWorld, p: { lat: number; lon: number }, fromMs: number, days: number) {
  return Array.from({ length: days * 24 }, (_, h) => w.truth(p.lat, p.lon, fromMs + h * HOUR));
}

describe('the true PM field', () => {
  const world = createSimWorld({ seed: 21, boxes: 600, startMs: WINTER });

  it('is more alike 1 km apart than 100 km apart', () => {
    const anchors = world.boxes.filter((b) => b.nearStationId === null).slice(0, 30);
    const near: number[] = [];
    const far: number[] = [];
    for (const a of anchors) {
      const times = Array.from({ length: 90 * 8 }, (_, i) => WINTER + i * 3 * HOUR);
      const here = times.map((t) => world.truth(a.lat, a.lon, t).pm25UgM3);
      const oneKm = times.map((t) => world.truth(a.lat, a.lon + 1 / KM_LON, t).pm25UgM3);
      // 100 km along the island's axis (north-north-east / south-south-west)
      const sign = a.lat > 23.7 ? -1 : 1;
      const hundredKm = times.map(
        (t) => world.truth(a.lat + (sign * 94) / KM_LAT, a.lon + (sign * 34) / KM_LON, t).pm25UgM3,
      );
      near.push(correlation(here, oneKm));
      far.push(correlation(here, hundredKm));
    }
    expect(mean(near)).toBeGreaterThan(0.9);
    expect(mean(near)).toBeGreaterThan(mean(far) + 0.2);
  });

  it('peaks in the morning and evening rush hours (Taipei time) and dips in the afternoon', () => {
    const byHour = Array.from({ length: 24 }, () => [] as number[]);
    for (const [h, s] of hourly(world, TAIPEI, WINTER, 90).entries()) {
      byHour[Math.floor(localHour(WINTER + h * HOUR))]!.push(s.pm25UgM3);
    }
    const at = (hours: number[]) => mean(hours.flatMap((h) => byHour[h]!));
    const afternoon = at([13, 14, 15, 16]);
    expect(at([7, 8, 9, 10])).toBeGreaterThan(1.15 * afternoon);
    expect(at([19, 20, 21, 22])).toBeGreaterThan(1.15 * afternoon);
  });

  it('is dirtier in winter than in summer, and in the south-west than on the east coast', () => {
    const avg = (p: { lat: number; lon: number }, from: number) =>
      mean(hourly(world, p, from, 60).map((s) => s.pm25UgM3));
    expect(avg(KAOHSIUNG, WINTER)).toBeGreaterThan(1.6 * avg(KAOHSIUNG, SUMMER));
    expect(avg(TAIPEI, WINTER)).toBeGreaterThan(1.2 * avg(TAIPEI, SUMMER));
    expect(avg(KAOHSIUNG, WINTER)).toBeGreaterThan(1.8 * avg(HUALIEN, WINTER));
    const annual = mean(hourly(world, TAICHUNG, WINTER, 365).map((s) => s.pm25UgM3));
    expect(annual).toBeGreaterThan(12); // MOENV annual means in the west: ~15–22 µg/m³
    expect(annual).toBeLessThan(28);
  });

  it('has plausible PM1 : PM2.5 : PM10 ratios', () => {
    const samples = hourly(world, TAICHUNG, WINTER, 60);
    for (const s of samples) {
      expect(s.pm1UgM3).toBeLessThan(s.pm25UgM3);
      expect(s.pm25UgM3).toBeLessThan(s.pm10UgM3);
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    expect(median(samples.map((s) => s.pm1UgM3 / s.pm25UgM3))).toBeGreaterThan(0.65);
    expect(median(samples.map((s) => s.pm1UgM3 / s.pm25UgM3))).toBeLessThan(0.9);
    expect(median(samples.map((s) => s.pm25UgM3 / s.pm10UgM3))).toBeGreaterThan(0.45);
    expect(median(samples.map((s) => s.pm25UgM3 / s.pm10UgM3))).toBeLessThan(0.75);
  });

  it('has multi-day, region-wide episodes', () => {
    const calm = createSimWorld({
      seed: 21,
      boxes: 0,
      startMs: WINTER,
      field: { episodesPerMonthWinter: 0, episodesPerMonthSummer: 0 },
    });
    // Same seed, no episodes: the difference is the episodes alone.
    const episode = (p: { lat: number; lon: number }) => {
      const on = hourly(world, p, WINTER, 90);
      const off = hourly(calm, p, WINTER, 90);
      return on.map((s, i) => s.pm25UgM3 - off[i]!.pm25UgM3);
    };
    const taipei = episode(TAIPEI);
    const taichung = episode(TAICHUNG);
    expect(Math.max(...taichung)).toBeGreaterThan(10);
    // region-wide: Taipei and Taichung, 130 km apart, see the same episodes
    expect(correlation(taipei, taichung)).toBeGreaterThan(0.5);
    // multi-day: the biggest episode stays above a quarter of its peak for more than a day
    const peak = Math.max(...taichung);
    let run = 0;
    let longest = 0;
    for (const x of taichung) longest = Math.max(longest, (run = x > peak / 4 ? run + 1 : 0));
    expect(longest).toBeGreaterThan(24);
  });

  it('has T and RH cycles that run against each other, RH mostly 60–95 %', () => {
    const samples = [
      ...hourly(world, TAICHUNG, WINTER, 30),
      ...hourly(world, TAICHUNG, SUMMER, 30),
    ];
    const rh = samples.map((s) => s.humidityPct).sort((a, b) => a - b);
    expect(rh[Math.floor(0.1 * rh.length)]).toBeGreaterThan(55);
    expect(rh[Math.floor(0.9 * rh.length)]).toBeLessThan(97);
    expect(mean(rh)).toBeGreaterThan(68);
    expect(mean(rh)).toBeLessThan(85);
    const daily = Array.from({ length: 60 }, (_, d) => {
      const day = samples.slice(d * 24, d * 24 + 24);
      return correlation(
        day.map((s) => s.temperatureC),
        day.map((s) => s.humidityPct),
      );
    });
    expect(mean(daily)).toBeLessThan(-0.8);
    const julyT = mean(hourly(world, TAIPEI, SUMMER, 30).map((s) => s.temperatureC));
    const januaryT = mean(hourly(world, TAIPEI, WINTER, 30).map((s) => s.temperatureC));
    expect(julyT).toBeGreaterThan(27); // CWA normals: Taipei July 29.6 °C, January 16.1 °C
    expect(januaryT).toBeLessThan(19);
  });
});

describe('the simulated reference network', () => {
  const world = createSimWorld({ seed: 22, boxes: 154, startMs: WINTER });

  it('reports hourly means close to the truth (R² > 0.95), rarely missing', () => {
    const truth: number[] = [];
    const reported: number[] = [];
    let missing = 0;
    let hours = 0;
    for (let h = 0; h < 24 * 5; h++) {
      const hourStart = WINTER + h * HOUR;
      for (const station of world.stations) {
        const r = world.referenceHour(station.siteId, hourStart);
        hours++;
        if (r.pm25UgM3 === null) {
          missing++;
          expect(r.pm10UgM3).toBe(null);
          continue;
        }
        expect(Number.isInteger(r.pm25UgM3)).toBe(true);
        // the test's own hourly mean, from a sample every 10 minutes
        const samples = Array.from({ length: 6 }, (_, k) =>
          world.truth(station.lat, station.lon, hourStart + (k + 0.5) * 10 * 60_000),
        );
        truth.push(mean(samples.map((s) => s.pm25UgM3)));
        reported.push(r.pm25UgM3);
      }
    }
    expect(correlation(truth, reported) ** 2).toBeGreaterThan(0.95);
    const slope =
      reported.reduce((s, y, i) => s + y * truth[i]!, 0) / truth.reduce((s, x) => s + x * x, 0);
    expect(slope).toBeCloseTo(1, 1);
    const share = missing / hours; // configured 1 %
    expect(Math.abs(share - 0.01)).toBeLessThan(4 * Math.sqrt((0.01 * 0.99) / hours));
  });

  it('lets the boxes beside a station see what the station sees', () => {
    const box = world.boxes[0]!;
    const station = world.stations.find((s) => s.siteId === box.nearStationId)!;
    const atBox = hourly(world, box, WINTER, 30).map((s) => s.pm25UgM3);
    const atStation = hourly(world, station, WINTER, 30).map((s) => s.pm25UgM3);
    expect(correlation(atBox, atStation)).toBeGreaterThan(0.95);
  });

  it('names an unknown station in its error', () => {
    expect(() => world.referenceHour('no-such-site', WINTER)).toThrow(/'no-such-site'/);
  });
});
