import { aqiFromPm25, type Scale } from '@airbox/aqi';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  browserSession,
  browserSkipReason,
  screenPixel,
  waitForReady,
  type Credentials,
} from './harness.ts';
import { colourDistance, decodePng, hexToRgb, pixelAt, type Image } from './png.ts';

/**
 * The map's controls, each driven as a person would against the real system (`airbox
 * serve`, readings over MQTT, Chromium): the raw/calibrated switch, the AQI scale, the 24 h
 * slider, the interpolated surface, hexagons when zoomed out, and the language switch. What
 * is asserted is what the person sees — pixels of the map, the panel's and legend's text.
 *
 * The boxes sit in the Central Mountain Range, 20–50 km from any reference station (drawn
 * grey, as this server has no reference feed), in three groups far enough apart that one
 * group's dots, hexagons or interpolation never reach another's.
 */

const skip = await browserSkipReason();
const HOUR_MS = 3_600_000;
/** What the app asks the surface for (web/app/src/geo.ts TAIWAN_BBOX, surface-feed.ts). */
const SURFACE_QUERY = '/api/v1/surface?bbox=118.1,21.8,122.1,26.4&size=128';
/**
 * A dot is drawn opaque, so its pixel is its colour; a hexagon or surface cell is drawn
 * translucent, so its pixel lies between the map below and its colour. How far depends on
 * the layer's opacity and on how the browser composites deck.gl's canvas (measured: the
 * surface's nominal 0.47 shows as ~0.66, the hexagons' 0.85 as ~0.93), so tests find the
 * fraction instead of assuming it — and allow a translucent pixel this far (per channel)
 * from the line between the two colours.
 */
const TINT_RESIDUAL = 8;

type LonLat = { lon: number; lat: number };
type DeviceAnswer = {
  latest: { time: string; pm25UgM3: number; pm25CalibratedUgM3: number | null };
};
type SurfaceAnswer = {
  bbox: [number, number, number, number];
  width: number;
  height: number;
  values: (number | null)[];
};

/** The three boxes whose dots the switches recolour, 0.01° (~1 km, ~116 px at zoom 13) apart. */
const CONTROLS = {
  /** Raw 40 µg/m³ with RH: the EPA correction calibrates it to ~21.5 (another category). */
  rawVsCal: { lon: 120.85, lat: 23.2 },
  /** 10 µg/m³, no RH (identity): "good" on MOENV 2025 (≤ 12.4), "moderate" on US EPA 2024 (> 9.0). */
  scale: { lon: 120.86, lat: 23.2 },
  /** Readings over the last hours, each hour its own category. */
  history: { lon: 120.87, lat: 23.2 },
};
const CONTROLS_VIEW = { lon: 120.86, lat: 23.2, zoom: 13 };

/**
 * Two boxes ~1.2 km either side of a cell of the app's surface grid (the cell's centre is
 * found later), the only ones within the interpolation's 20 km search radius. The server
 * draws a surface from 5 boxes or more: the other groups make up the number.
 */
const SURFACE_NEAR = { lon: 121.2, lat: 23.6 };
const SURFACE_BOXES = [
  { at: { lon: SURFACE_NEAR.lon - 0.012, lat: SURFACE_NEAR.lat }, pm25UgM3: 18 },
  { at: { lon: SURFACE_NEAR.lon + 0.012, lat: SURFACE_NEAR.lat }, pm25UgM3: 26 },
];

/** Two boxes ~250 m apart: at zoom 8 one hexagon, at zoom 10 one blob of dots. */
const HEX_BOXES: LonLat[] = [
  { lon: 121.25, lat: 24.3 },
  { lon: 121.252, lat: 24.301 },
];
/** Unhealthy on both scales: the hexagons' boxes, and the slider box's older hours. */
const UNHEALTHY_UGM3 = 80;

function colourOfValue(value: number, scale: Scale, at: Date) {
  const { category } = aqiFromPm25(Math.max(0, value), { scale, at });
  return { category, rgb: hexToRgb(category.colourHex) };
}

/**
 * How far a pixel is from `base` toward `colour` (0 = base, 1 = the colour), fitted by least
 * squares, and how far the pixel is from that line (largest channel difference).
 */
function tint(pixel: readonly number[], base: readonly number[], colour: readonly number[]) {
  const d = colour.map((c, i) => c - (base[i] ?? 0));
  const p = pixel.map((v, i) => v - (base[i] ?? 0));
  const t =
    p.reduce((acc, v, i) => acc + v * (d[i] ?? 0), 0) / d.reduce((acc, v) => acc + v * v, 0);
  const residual = Math.max(...p.map((v, i) => Math.abs(v - t * (d[i] ?? 0))));
  return { t, residual };
}

/** The surface cell under a position: its centre and its value. */
function cellAt(grid: SurfaceAnswer, at: LonLat) {
  const [west, south, east, north] = grid.bbox;
  const dLon = (east - west) / grid.width;
  const dLat = (north - south) / grid.height;
  const col = Math.floor((at.lon - west) / dLon);
  const row = Math.floor((north - at.lat) / dLat);
  return {
    centre: { lon: west + (col + 0.5) * dLon, lat: north - (row + 0.5) * dLat },
    value: grid.values[row * grid.width + col] ?? null,
    dLon,
  };
}

/** Pixels of an image within `tolerance` of a colour. */
function countNear(image: Image, rgb: readonly number[], tolerance: number): number {
  let n = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      if (colourDistance(pixelAt(image, x, y), rgb) <= tolerance) n++;
    }
  }
  return n;
}

/**
 * Waits out the first minute and the last 90 s of an hour, so that the hours the readings
 * were placed in are still "n hours ago" when the slider test looks.
 */
async function awayFromHourTurn(): Promise<void> {
  const intoHourMs = Date.now() % HOUR_MS;
  if (intoHourMs < 60_000) await new Promise((r) => setTimeout(r, 60_000 - intoHourMs));
  if (intoHourMs > HOUR_MS - 90_000) {
    await new Promise((r) => setTimeout(r, HOUR_MS - intoHourMs + 1_000));
  }
}

describe.skipIf(skip !== '')('map controls (Chromium, real airbox serve)', () => {
  const session = browserSession();
  const { system } = session;
  let page: Page;

  const reading = (at: LonLat, pm25UgM3: number, agoMs: number, extra = {}) => ({
    time: new Date(Date.now() - agoMs).toISOString(),
    ...at,
    pm25UgM3,
    temperatureC: 20,
    ...extra,
  });
  const publishBatch = async (creds: Credentials, readings: object[]) => {
    const topic = `airbox/v1/${creds.deviceId}/batch`;
    const r = await system.publishText(creds, topic, JSON.stringify(readings));
    if (r.code !== 0) throw new Error(`batch for ${creds.deviceId}: ${r.stderr}`);
  };
  const latest = async (id: string) =>
    ((await system.json(`/api/v1/devices/${id}`)) as DeviceAnswer).latest;
  const xyOf = async (at: LonLat): Promise<[number, number]> => {
    const xy = await page.evaluate(({ lon, lat }) => window.__airbox?.project(lon, lat), at);
    if (xy === null || xy === undefined) throw new Error('the map cannot project a position');
    return xy;
  };
  const pixelOf = async (at: LonLat) => {
    const [x, y] = await xyOf(at);
    return screenPixel(page, x, y);
  };
  /** A square of the page around a position, as the user sees it. */
  const around = async (at: LonLat, halfPx: number) => {
    const [x, y] = await xyOf(at);
    const clip = { x: Math.round(x) - halfPx, y: Math.round(y) - halfPx };
    return decodePng(
      await page.screenshot({ clip: { ...clip, width: 2 * halfPx, height: 2 * halfPx } }),
    );
  };
  const openMap = async (view: LonLat & { zoom: number }, query = 'lang=en') => {
    await page.goto(system.url(`/?${query}&view=${view.lon},${view.lat},${view.zoom}`));
    await waitForReady(page);
  };

  /**
   * Registers one device per id, one after the other: each is an `airbox device add`
   * process, and side by side on a loaded 2-core machine they overrun run()'s 20 s limit.
   */
  const addDevices = async (ids: string[]) => {
    const added: Credentials[] = [];
    for (const id of ids) added.push(await system.addDevice(id));
    return added;
  };

  async function publishHistory(creds: Credentials): Promise<void> {
    await awayFromHourTurn();
    const hourStart = (hoursAgo: number) =>
      Math.floor(Date.now() / HOUR_MS) * HOUR_MS - hoursAgo * HOUR_MS;
    const at = (ms: number) => ({ time: new Date(ms).toISOString(), ...CONTROLS.history });
    const readings: object[] = [];
    // Hours 2–4 ago: 80 µg/m³ (unhealthy); the hour before this one: 20 (moderate); now: 5.
    for (let ms = hourStart(4) + 5 * 60_000; ms < hourStart(1); ms += 20 * 60_000) {
      readings.push({ ...at(ms), pm25UgM3: UNHEALTHY_UGM3 });
    }
    for (let ms = hourStart(1) + 5 * 60_000; ms < hourStart(0); ms += 20 * 60_000) {
      readings.push({ ...at(ms), pm25UgM3: 20 });
    }
    readings.push({ ...at(Date.now() - 30_000), pm25UgM3: 5 });
    await publishBatch(creds, readings);
  }

  beforeAll(async () => {
    page = session.page;
    const [rawVsCal, scale, history] = await addDevices(['ctl-cal', 'ctl-scale', 'ctl-hist']);
    const surface = await addDevices(SURFACE_BOXES.map((_, i) => `surf-${i}`));
    const hex = await addDevices(HEX_BOXES.map((_, i) => `hex-${i}`));
    if (rawVsCal === undefined || scale === undefined || history === undefined) {
      throw new Error('devices not registered');
    }
    await system.publish(rawVsCal, reading(CONTROLS.rawVsCal, 40, 60_000, { humidityPct: 60 }));
    await system.publish(scale, reading(CONTROLS.scale, 10, 60_000));
    for (const [i, creds] of surface.entries()) {
      const box = SURFACE_BOXES[i];
      if (box !== undefined) await system.publish(creds, reading(box.at, box.pm25UgM3, 60_000));
    }
    for (const [i, creds] of hex.entries()) {
      const at = HEX_BOXES[i];
      if (at !== undefined) await system.publish(creds, reading(at, UNHEALTHY_UGM3, 60_000));
    }
    await publishHistory(history);
    // Registering and publishing run processes; near an hour's turn it also waits for it.
  }, 180_000);

  it('raw / calibrated: switching to raw recolours a box whose calibrated value is in another category, and its panel shows the raw number', async () => {
    const api = await latest('ctl-cal');
    const at = new Date(api.time);
    const calibrated = api.pm25CalibratedUgM3 ?? NaN;
    const cal = colourOfValue(calibrated, 'tw', at);
    const raw = colourOfValue(api.pm25UgM3, 'tw', at);
    expect(raw.category.key).not.toBe(cal.category.key);

    await openMap(CONTROLS_VIEW);
    expect(colourDistance(await pixelOf(CONTROLS.rawVsCal), cal.rgb)).toBeLessThanOrEqual(12);
    const [x, y] = await xyOf(CONTROLS.rawVsCal);
    await page.mouse.click(x, y);
    const panelValue = page.locator('[data-testid=panel-value]');
    await expect.poll(() => panelValue.textContent()).toContain(calibrated.toFixed(1));
    expect(await panelValue.textContent()).toContain(cal.category.name.en);

    await page.check('[data-testid=mode-raw]');
    await expect
      .poll(async () => colourDistance(await pixelOf(CONTROLS.rawVsCal), raw.rgb))
      .toBeLessThanOrEqual(12);
    await expect.poll(() => panelValue.textContent()).toContain(api.pm25UgM3.toFixed(1));
    expect(await panelValue.textContent()).toContain(raw.category.name.en);

    await page.check('[data-testid=mode-calibrated]');
    await expect
      .poll(async () => colourDistance(await pixelOf(CONTROLS.rawVsCal), cal.rgb))
      .toBeLessThanOrEqual(12);
    expect(session.seen.errors).toEqual([]);
  });

  it('AQI scale: switching to US EPA recolours a value that is "good" in Taiwan and "moderate" in the US, and the legend follows', async () => {
    const api = await latest('ctl-scale');
    const at = new Date(api.time);
    const value = api.pm25CalibratedUgM3 ?? api.pm25UgM3;
    const tw = colourOfValue(value, 'tw', at);
    const us = colourOfValue(value, 'us', at);
    expect([tw.category.key, us.category.key]).toEqual(['good', 'moderate']);

    await openMap(CONTROLS_VIEW);
    const heading = page.locator('.legend h2');
    const firstBand = page.locator('.legend li .range').first();
    expect(colourDistance(await pixelOf(CONTROLS.scale), tw.rgb)).toBeLessThanOrEqual(12);
    expect(await heading.textContent()).toBe('Legend · Taiwan (MOENV 2025)');
    expect(await firstBand.textContent()).toBe('0–12.4');

    await page.selectOption('[data-testid=scale]', 'us');
    await expect
      .poll(async () => colourDistance(await pixelOf(CONTROLS.scale), us.rgb))
      .toBeLessThanOrEqual(12);
    expect(await heading.textContent()).toBe('Legend · United States (EPA 2024)');
    expect(await firstBand.textContent()).toBe('0–9');
  });

  it('24 h slider: moving it back shows each past hour’s mean in its colour, with the hour named', async () => {
    await openMap(CONTROLS_VIEW);
    const label = page.locator('.time-label');
    const slider = page.locator('[data-testid=time]');
    const colour = (v: number) => colourOfValue(v, 'tw', new Date()).rgb;
    const hourLabel = (hoursAgo: number) => {
      const start = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - hoursAgo * HOUR_MS;
      const time = new Intl.DateTimeFormat('en', { hour: '2-digit', minute: '2-digit' }).format(
        start,
      );
      return `${hoursAgo} h ago (${time})`.replace(/\s/g, ' ');
    };
    const shownLabel = async () => (await label.textContent())?.replace(/\s/g, ' ');

    expect(await label.textContent()).toBe('Now (live)');
    expect(colourDistance(await pixelOf(CONTROLS.history), colour(5))).toBeLessThanOrEqual(12);

    // With the keyboard, one hour a key press, as the slider is made to be used.
    await slider.focus();
    await page.keyboard.press('ArrowLeft');
    expect(await shownLabel()).toBe(hourLabel(1));
    await expect
      .poll(async () => colourDistance(await pixelOf(CONTROLS.history), colour(20)))
      .toBeLessThanOrEqual(12);

    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    expect(await shownLabel()).toBe(hourLabel(3));
    await expect
      .poll(async () => colourDistance(await pixelOf(CONTROLS.history), colour(UNHEALTHY_UGM3)))
      .toBeLessThanOrEqual(12);

    await page.keyboard.press('End');
    expect(await label.textContent()).toBe('Now (live)');
    await expect
      .poll(async () => colourDistance(await pixelOf(CONTROLS.history), colour(5)))
      .toBeLessThanOrEqual(12);
  });

  it('surface: ticking it paints the cells between boxes in the AQI colour of the interpolated value, unticking removes them', async () => {
    const grid = (await system.json(SURFACE_QUERY)) as SurfaceAnswer;
    const inside = cellAt(grid, SURFACE_NEAR);
    const surfaceCell = inside.centre;
    // Three cells east (~10 km): farther than the 5 km mask from every box.
    const outside = cellAt(grid, { lon: surfaceCell.lon + 3 * inside.dLon, lat: surfaceCell.lat });
    expect(inside.value).not.toBeNull();
    expect(outside.value).toBeNull();
    const painted = colourOfValue(inside.value ?? NaN, 'tw', new Date());

    await openMap({ ...SURFACE_NEAR, zoom: 11 });
    const base = await pixelOf(surfaceCell);
    const baseOutside = await pixelOf(outside.centre);
    // Land, not a box's colour: the cell's centre is ~50 px from the nearest dot.
    expect(colourDistance(base, painted.rgb)).toBeGreaterThan(60);

    await page.check('[data-testid=surface]');
    const tinted = async () => tint(await pixelOf(surfaceCell), base, painted.rgb);
    await expect.poll(async () => (await tinted()).t, { timeout: 10_000 }).toBeGreaterThan(0.3);
    const { t, residual } = await tinted();
    expect(t).toBeLessThan(0.95);
    expect(residual).toBeLessThanOrEqual(TINT_RESIDUAL);
    // Cells farther than 5 km from every box are masked: the map shows through unchanged.
    expect(colourDistance(await pixelOf(outside.centre), baseOutside)).toBeLessThanOrEqual(2);

    await page.uncheck('[data-testid=surface]');
    await expect
      .poll(async () => colourDistance(await pixelOf(surfaceCell), base))
      .toBeLessThanOrEqual(2);
    expect(session.seen.errors).toEqual([]);
  });

  it('hexagons: zoomed out, nearby boxes become one hexagon of their mean’s colour; clicking it zooms in to the single boxes', async () => {
    const centre = HEX_BOXES[0] ?? { lon: 0, lat: 0 };
    const red = colourOfValue(UNHEALTHY_UGM3, 'tw', new Date()).rgb;
    await openMap({ ...centre, zoom: 10 });
    const legend = page.locator('.legend');
    const hexNote = 'hexagons show the mean';
    /** Pixels of the box's colour, opaque or translucent, in an 80 × 80 square around it. */
    const redArea = async () => countNear(await around(centre, 40), red, 40);

    // Zoom 10: two dots 8 px in radius, ~4 px apart: one blob of ~260 px².
    expect(await redArea()).toBeGreaterThan(150);
    expect(await redArea()).toBeLessThan(400);
    expect(colourDistance(await pixelOf(centre), red)).toBeLessThanOrEqual(12);
    expect(await legend.textContent()).not.toContain(hexNote);

    await page.click('.maplibregl-ctrl-zoom-out');
    await page.click('.maplibregl-ctrl-zoom-out');
    // Zoom 8: a hexagon ~18 px in radius (~700 px²), translucent over the land.
    await expect.poll(redArea, { timeout: 10_000 }).toBeGreaterThan(500);
    const land = await pixelOf({ lon: centre.lon + 0.3, lat: centre.lat });
    const hex = tint(await pixelOf(centre), land, red);
    expect(hex.t).toBeLessThan(0.98);
    expect(hex.residual).toBeLessThanOrEqual(TINT_RESIDUAL);
    expect(await legend.textContent()).toContain(hexNote);

    const [x, y] = await xyOf(centre);
    await page.mouse.click(x, y);
    await expect.poll(redArea, { timeout: 10_000 }).toBeLessThan(400);
    expect(await redArea()).toBeGreaterThan(150);
    expect(colourDistance(await pixelOf(centre), red)).toBeLessThanOrEqual(12);
    expect(await legend.textContent()).not.toContain(hexNote);
  });

  it('language: the header’s switch reloads the map in English, same place, same boxes', async () => {
    await openMap(CONTROLS_VIEW, 'lang=zh-TW');
    const api = await latest('ctl-scale');
    const tw = colourOfValue(api.pm25CalibratedUgM3 ?? api.pm25UgM3, 'tw', new Date(api.time));
    expect(await page.getAttribute('html', 'lang')).toBe('zh-TW');
    expect(await page.textContent('.legend h2')).toBe('圖例 · 臺灣（環境部 2025）');
    expect(await page.textContent('.controls')).toContain('校正後');
    const before = await xyOf(CONTROLS.scale);

    await Promise.all([
      page.waitForURL(/lang=en/, { timeout: 10_000 }),
      page.selectOption('[data-testid=lang]', 'en'),
    ]);
    await waitForReady(page);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('.legend h2')).toBe('Legend · Taiwan (MOENV 2025)');
    expect(await page.textContent('.controls')).toContain('Calibrated');
    expect(await page.textContent('.controls')).not.toContain('校正後');
    const after = await xyOf(CONTROLS.scale);
    expect(Math.abs(after[0] - before[0]) + Math.abs(after[1] - before[1])).toBeLessThan(2);
    expect(colourDistance(await pixelOf(CONTROLS.scale), tw.rgb)).toBeLessThanOrEqual(12);
    expect(session.seen.errors).toEqual([]);
  });
});
