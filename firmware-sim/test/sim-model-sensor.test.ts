/**
 * The virtual sensors err the way they were configured to: gain, κ-Köhler humidity growth,
 * the CF=1/ATM relation, outages, shares of indoor boxes and wrong clocks, stuck values and
 * dead fans — each checked against the config within the tolerance the sample allows.
 */
import { describe, expect, it } from 'vitest';
import {
  createSimWorld,
  kohlerGrowthFactor,
  type BoxSpec,
  type SensorErrorConfig,
  type SimWorld,
} from '../src/sim/model/index.ts';

const START = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A fixed pseudo-random sequence for choosing test samples (not the model's randomness). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const sd = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
};
const freeBoxes = (w: SimWorld) => w.boxes.filter((b) => b.nearStationId === null);
/** Boxes away from stations, outdoors: the plain population for sensor statistics. */
const freeOutdoor = (w: SimWorld) => freeBoxes(w).filter((b) => !b.indoor);

/**
 * Least-squares slope of y on x, and its standard error clustered by box: readings of one
 * box share its gain, so they are not independent and a naive SE would be too small.
 */
function clusteredSlope(points: { box: number; x: number; y: number }[]): {
  slope: number;
  se: number;
} {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
  }
  const slope = sxy / sxx;
  const scores = new Map<number, number>();
  for (const p of points) {
    const residual = p.y - my - slope * (p.x - mx);
    scores.set(p.box, (scores.get(p.box) ?? 0) + (p.x - mx) * residual);
  }
  let meat = 0;
  for (const s of scores.values()) meat += s * s;
  return { slope, se: Math.sqrt(meat) / sxx };
}

/** A sensor world with one effect at a time: no drift, no faults, everyone outdoors. */
function sensorWorld(seed: number, errors: Partial<SensorErrorConfig>): SimWorld {
  return createSimWorld({
    seed,
    boxes: 1400,
    startMs: START,
    errors: {
      driftMeanPctPerDay: 0,
      driftSdPctPerDay: 0,
      fanFailureRatePerDay: 0,
      stuckRatePerDay: 0,
      indoorShare: 0,
      ...errors,
    },
  });
}

/** Every box at `perBox` moments spread over 30 days (hours differ from box to box). */
function sampleBoxes(w: SimWorld, boxes: readonly BoxSpec[], perBox: number) {
  const rand = lcg(7);
  return boxes.flatMap((box) =>
    Array.from({ length: perBox }, () => {
      const t = START + Math.floor(rand() * 30 * DAY);
      return { box, t, obs: w.observe(box, t), truth: w.truthAtBox(box, t) };
    }),
  );
}

describe('sensor error statistics match the config', () => {
  it.each([1.4, 1.8])(
    'with no RH effect, observed CF=1 PM2.5 against truth has slope ≈ the mean gain %s',
    (gainMean) => {
      const w = sensorWorld(3, { gainMean, kappa: 0, kappaSd: 0 });
      const samples = sampleBoxes(w, w.boxes, 8);
      const { slope, se } = clusteredSlope(
        samples.map((s) => ({ box: s.box.index, x: s.truth.pm25UgM3, y: s.obs.pm25Cf1 })),
      );
      expect(se).toBeLessThan(0.02); // enough boxes for the check to mean something
      expect(Math.abs(slope - gainMean)).toBeLessThan(4 * se);
    },
  );

  it('grows readings with humidity as κ-Köhler says for the configured κ', () => {
    const kappa = 0.3;
    const w = sensorWorld(4, { kappa, kappaSd: 0 });
    const samples = sampleBoxes(w, freeOutdoor(w), 10).filter((s) => s.truth.pm25UgM3 > 5);
    // The wet/dry ratio between humid (85–95 % RH) and dry (45–60 %) air.
    const bin = (lo: number, hi: number) => {
      const inBin = samples.filter((s) => s.truth.humidityPct >= lo && s.truth.humidityPct < hi);
      const observed = inBin.reduce((a, s) => a + s.obs.pm25Cf1, 0);
      const truth = inBin.reduce((a, s) => a + s.truth.pm25UgM3, 0);
      const growth =
        inBin.reduce(
          (a, s) => a + s.truth.pm25UgM3 * kohlerGrowthFactor(kappa, s.truth.humidityPct, 95),
          0,
        ) / truth;
      return { n: inBin.length, ratio: observed / truth, growth };
    };
    const humid = bin(85, 95);
    const dry = bin(45, 60);
    expect(Math.min(humid.n, dry.n)).toBeGreaterThan(500);
    const expected = humid.growth / dry.growth; // ≈ f(90 %)/f(52 %) = 3.7/1.33 for κ = 0.3
    expect(expected).toBeGreaterThan(2.3);
    expect(humid.ratio / dry.ratio / expected).toBeCloseTo(1, 1);
    // κ recovered by regressing obs/truth on aw/(1 − aw): intercept = gain, slope = gain·κ.
    const fit = clusteredSlope(
      samples.map((s) => {
        const aw = Math.min(s.truth.humidityPct, 95) / 100;
        return { box: s.box.index, x: aw / (1 - aw), y: s.obs.pm25Cf1 / s.truth.pm25UgM3 };
      }),
    );
    const meanX = mean(
      samples.map(
        (s) => Math.min(s.truth.humidityPct, 95) / (100 - Math.min(s.truth.humidityPct, 95)),
      ),
    );
    const meanY = mean(samples.map((s) => s.obs.pm25Cf1 / s.truth.pm25UgM3));
    const intercept = meanY - fit.slope * meanX;
    expect(fit.slope / intercept).toBeGreaterThan(kappa * 0.9);
    expect(fit.slope / intercept).toBeLessThan(kappa * 1.1);
  });

  it('reports ATM equal to CF=1 up to 30 µg/m³ and two thirds of it above 100', () => {
    const w = createSimWorld({
      seed: 9,
      boxes: 600,
      startMs: START,
      field: { backgroundScale: 1.5 },
    });
    const samples = sampleBoxes(w, w.boxes, 5).filter((s) => s.obs.fault === null);
    const low = samples.filter((s) => s.obs.pm25Cf1 <= 30);
    const high = samples.filter((s) => s.obs.pm25Cf1 >= 100);
    expect(Math.min(low.length, high.length)).toBeGreaterThan(50);
    for (const { obs } of low) expect(obs.pm25Atm).toBe(obs.pm25Cf1);
    for (const { obs } of high) expect(obs.pm25Atm / obs.pm25Cf1).toBeCloseTo(2 / 3, 9);
    for (const { obs } of samples) {
      expect(obs.pm1Cf1).toBeLessThanOrEqual(obs.pm25Cf1);
      expect(obs.pm25Cf1).toBeLessThanOrEqual(obs.pm10Cf1);
      expect(obs.pm25Atm).toBeLessThanOrEqual(obs.pm25Cf1);
      expect(obs.counts.gt03um).toBeGreaterThanOrEqual(obs.counts.gt05um);
      expect(obs.counts.gt25um).toBeGreaterThanOrEqual(obs.counts.gt100um);
    }
  });

  it('keeps Wi-Fi offline for the configured rate × mean duration of the time', () => {
    const outageRatePerDay = 0.8;
    const outageMeanMin = 45;
    const w = createSimWorld({
      seed: 6,
      boxes: 1500,
      startMs: START,
      errors: { outageRatePerDay, outageMeanMin },
    });
    const spanMs = 30 * DAY;
    const fractions: number[] = [];
    const ratesPerDay: number[] = [];
    for (const box of w.boxes) {
      const windows = w.windows(box, 'outage', START, START + spanMs);
      const offMs = windows.reduce(
        (s, x) => s + Math.min(x.endMs, START + spanMs) - Math.max(x.startMs, START),
        0,
      );
      fractions.push(offMs / spanMs);
      ratesPerDay.push(windows.length / 30);
    }
    const expected = (outageRatePerDay * outageMeanMin) / (24 * 60); // 0.025
    const se = sd(fractions) / Math.sqrt(fractions.length);
    // Overlapping outages merge: the covered share is 1 − exp(−x) ≈ x(1 − x/2), 1 % lower.
    expect(Math.abs(mean(fractions) - expected * (1 - expected / 2))).toBeLessThan(4 * se);
    expect(se / expected).toBeLessThan(0.05);
    expect(Math.abs(mean(ratesPerDay) - outageRatePerDay)).toBeLessThan(
      4 * (sd(ratesPerDay) / Math.sqrt(1500)) + 0.02,
    );
    // online() agrees with the windows.
    const rand = lcg(3);
    for (let i = 0; i < 2000; i++) {
      const box = w.boxes[Math.floor(rand() * w.boxes.length)]!;
      const t = START + Math.floor(rand() * spanMs);
      const inWindow = w
        .windows(box, 'outage', START, START + spanMs)
        .some((x) => x.startMs <= t && t < x.endMs);
      expect(w.online(box, t)).toBe(!inWindow);
    }
  });

  it('makes the configured shares of boxes indoor and with a wrong clock', () => {
    const indoorShare = 0.3;
    const wrongClockShare = 0.05;
    const w = createSimWorld({
      seed: 8,
      boxes: 5154,
      startMs: START,
      errors: { indoorShare, wrongClockShare },
    });
    const free = freeBoxes(w);
    expect(free.length).toBe(5000);
    const within = (count: number, p: number) =>
      expect(Math.abs(count / free.length - p)).toBeLessThan(
        4 * Math.sqrt((p * (1 - p)) / free.length),
      );
    within(free.filter((b) => b.indoor).length, indoorShare);
    const wrong = free.filter((b) => b.profile.clockOffsetMs !== 0);
    within(wrong.length, wrongClockShare);
    for (const box of wrong) {
      const offsetH = box.profile.clockOffsetMs / HOUR;
      // Taipei time sent as UTC, a wrong time zone, or an RTC that restarted in 2000.
      const readsIn2000 = new Date(START + box.profile.clockOffsetMs).getUTCFullYear() === 2000;
      expect(
        offsetH === 8 || (Number.isInteger(offsetH) && Math.abs(offsetH) <= 12) || readsIn2000,
      ).toBe(true);
    }
  });
});

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

describe('faults and indoor boxes', () => {
  const spanMs = 60 * DAY;
  const w = createSimWorld({
    seed: 12,
    boxes: 600,
    startMs: START,
    errors: {
      fanFailureRatePerDay: 0.02,
      fanFailureMeanH: 48,
      stuckRatePerDay: 0.05,
      stuckMeanH: 6,
    },
  });
  const fanDown = (box: BoxSpec, t: number) => w.windows(box, 'fan-failure', t, t + 1).length > 0;

  it('repeats the same PM values while a sensor is stuck, and goes live again after', () => {
    let checked = 0;
    for (const box of w.boxes) {
      for (const win of w.windows(box, 'stuck', START, START + spanMs)) {
        const times = [win.startMs + 1000, (win.startMs + win.endMs) / 2, win.endMs - 1000];
        if (times.some((t) => fanDown(box, t)) || fanDown(box, win.endMs + 60_000)) continue;
        const [first, ...rest] = times.map((t) => w.observe(box, Math.floor(t)));
        for (const o of rest) {
          expect(o.fault).toBe('stuck');
          expect([o.pm1Atm, o.pm25Atm, o.pm10Atm, o.counts]).toEqual([
            first!.pm1Atm,
            first!.pm25Atm,
            first!.pm10Atm,
            first!.counts,
          ]);
        }
        const after = w.observe(box, win.endMs + 60_000);
        if (w.windows(box, 'stuck', win.endMs + 60_000, win.endMs + 60_001).length === 0) {
          expect(after.fault).toBe(null);
          expect(after.pm25Cf1).not.toBe(first!.pm25Cf1);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('sends no PM frame during fan failures, for the configured share of the time', () => {
    const fractions = w.boxes.map((box) => {
      const windows = w.windows(box, 'fan-failure', START, START + spanMs);
      for (const x of windows.slice(0, 2)) {
        const o = w.observe(box, Math.min(x.endMs - 1, START + spanMs - 1));
        expect(o.fault).toBe('fan-failure');
        expect(o.pm25Atm).toBe(0);
        expect(o.humidityPct).toBeGreaterThan(0); // the T/RH sensor still works
      }
      return (
        windows.reduce(
          (s, x) => s + Math.min(x.endMs, START + spanMs) - Math.max(x.startMs, START),
          0,
        ) / spanMs
      );
    });
    const expected = 1 - Math.exp(-0.02 * 2); // rate 0.02/day × mean 2 days, overlaps merged
    expect(Math.abs(mean(fractions) - expected)).toBeLessThan(
      4 * (sd(fractions) / Math.sqrt(fractions.length)),
    );
  });

  it('indoors, PM follows outdoor PM reduced by the infiltration factor, and later', () => {
    const indoor = createSimWorld({
      seed: 13,
      boxes: 154 + 60,
      startMs: START,
      errors: { indoorShare: 1, cookingChance: 0, infiltrationMean: 0.55, infiltrationSd: 0 },
    });
    let inSum = 0;
    let outSum = 0;
    const leadCorr: number[] = [];
    const lagCorr: number[] = [];
    const rhSdRatio: number[] = [];
    for (const box of freeBoxes(indoor)) {
      expect(box.indoor).toBe(true);
      const hours = Array.from({ length: 24 * 20 }, (_, h) => START + h * HOUR);
      const inside = hours.map((t) => indoor.truthAtBox(box, t));
      const outside = hours.map((t) => indoor.truth(box.lat, box.lon, t));
      inSum += inside.reduce((s, x) => s + x.pm25UgM3, 0);
      outSum += outside.reduce((s, x) => s + x.pm25UgM3, 0);
      const pmIn = inside.map((x) => x.pm25UgM3);
      const pmOut = outside.map((x) => x.pm25UgM3);
      // indoor now vs outdoor an hour earlier, and vs outdoor an hour later
      lagCorr.push(correlation(pmIn.slice(1), pmOut.slice(0, -1)));
      leadCorr.push(correlation(pmIn.slice(0, -1), pmOut.slice(1)));
      rhSdRatio.push(sd(inside.map((x) => x.humidityPct)) / sd(outside.map((x) => x.humidityPct)));
    }
    expect(inSum / outSum).toBeCloseTo(0.55, 1);
    expect(mean(lagCorr)).toBeGreaterThan(mean(leadCorr));
    expect(mean(rhSdRatio)).toBeLessThan(0.5);
  });
});
