import { aqiFromPm25, CATEGORY_KEYS, tableInForce, type AqiResult, type Scale } from '@airbox/aqi';
import type { Reading } from './api.ts';
import type { I18n } from './i18n/index.ts';

export type Rgb = [number, number, number];
export type ValueMode = 'calibrated' | 'raw';

/** Grey for a box with no usable value. */
export const NO_DATA_RGB: Rgb = [140, 140, 140];

function rgbOf(hex: string): Rgb {
  const n = Number.parseInt(hex.replace('#', ''), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** An Rgb as a CSS colour, for DOM swatches of map colours. */
export function cssColour([r, g, b]: Rgb): string {
  return `rgb(${r}, ${g}, ${b})`;
}

/**
 * The PM2.5 a box shows: the calibrated value by default, falling back to the raw value
 * while no model has calibrated the box yet; the raw value when the user asks for it.
 */
export function shownPm25(r: Pick<Reading, 'pm25UgM3' | 'pm25CalibratedUgM3'>, mode: ValueMode) {
  return mode === 'raw' ? r.pm25UgM3 : (r.pm25CalibratedUgM3 ?? r.pm25UgM3);
}

/**
 * The AQI of one concentration on the table in force at `at`. A calibration may push a
 * clean-air value slightly below zero; it is read as 0 µg/m³ (the AQI has no negatives).
 */
export function aqiOf(pm25UgM3: number | null, scale: Scale, at: Date): AqiResult | null {
  if (pm25UgM3 === null || !Number.isFinite(pm25UgM3)) return null;
  return aqiFromPm25(Math.max(0, pm25UgM3), { scale, at });
}

/**
 * The one place a PM2.5 value gets its map colour: its AQI category's colour on the `scale`
 * table in force at `at`; grey when there is no value. The points, hexagons and surface of
 * the map and the legend's swatches all ask it, so they cannot disagree.
 */
export function aqiColour(pm25UgM3: number | null, scale: Scale, at: Date): Rgb {
  const result = aqiOf(pm25UgM3, scale, at);
  return result === null ? NO_DATA_RGB : rgbOf(result.category.colourHex);
}

/**
 * Every colour aqiColour gives a value on the table in force at `at`, in order of concern
 * (good … hazardous): it is asked for each category's lowest concentration. For deck.gl's
 * scales, which colour a cell by an index into a list.
 */
export function aqiPalette(scale: Scale, at: Date): Rgb[] {
  return legendRows(scale, at).map((row) => aqiColour(row.lowUgM3, scale, at));
}

/** "Taiwan (MOENV 2025)" — the scale's table now in force. */
export function scaleLabel(scale: Scale, i18n: I18n, now: Date): string {
  const year = tableInForce(scale, now).effectiveFrom.slice(0, 4);
  return i18n.t(scale === 'tw' ? 'scaleTw' : 'scaleUs', { year });
}

/** Legend rows: each category with its PM2.5 band(s) on the table in force. */
export function legendRows(scale: Scale, now: Date) {
  const table = tableInForce(scale, now);
  return CATEGORY_KEYS.map((key) => {
    const bands = table.bands.filter((b) => b.category === key);
    const low = bands[0]?.lowUgM3 ?? 0;
    const high = bands.at(-1)?.highUgM3 ?? low;
    return { category: table.categories[key], lowUgM3: low, highUgM3: high };
  });
}

/** Black or white text, whichever reads better on the category colour (WCAG luminance). */
export function textColourOn(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const l = 0.2126 * lin((n >> 16) & 255) + 0.7152 * lin((n >> 8) & 255) + 0.0722 * lin(n & 255);
  return l > 0.179 ? '#000000' : '#ffffff';
}
