import { breakpointTenths, toTenths } from './concentration.ts';
import { assertConcentration } from './errors.ts';
import { tableInForce } from './tables/index.ts';
import type { AqiTable, Band, Category, Scale } from './types.ts';

export interface AqiOptions {
  scale: Scale;
  /** The instant the concentration is for; picks the table then in force. Default: now. */
  at?: Date;
}

export interface AqiResult {
  /** Integer index, 0–500. */
  aqi: number;
  category: Category;
  table: AqiTable;
  /** The concentration the table was read with, after the agency's truncation or rounding. */
  concentrationUgM3: number;
  /** True when the concentration is above the table's top breakpoint and the AQI is capped. */
  aboveScale: boolean;
}

/**
 * PM2.5 AQI for a concentration averaged over the table's period (24 h, or a NowCast).
 *
 * The concentration is first reduced as the agency specifies (US EPA truncates to 0.1 µg/m³;
 * MOENV rounds to 0.1), then interpolated within its band and rounded to the nearest integer:
 *   I = (Ihi − Ilo) / (Chi − Clo) · (C − Clo) + Ilo      (EPA-454/B-24-002, AQI equation)
 * Above the top breakpoint the AQI is capped at 500 and the category stays hazardous.
 *
 * @throws AqiRangeError (a RangeError) when `pm25UgM3` is negative or not finite, `at` is not
 *   a valid Date, or no table of the scale was in force at `at`.
 */
export function aqiFromPm25(pm25UgM3: number, options: AqiOptions): AqiResult {
  assertConcentration(pm25UgM3, 'PM2.5');
  const table = tableInForce(options.scale, options.at ?? new Date());
  const tenths = toTenths(pm25UgM3, table.concentrationStep);
  const concentrationUgM3 = tenths / 10;

  const band = table.bands.find((b) => tenths <= breakpointTenths(b.highUgM3));
  if (band === undefined) {
    return {
      aqi: 500,
      category: table.categories.hazardous,
      table,
      concentrationUgM3,
      aboveScale: true,
    };
  }
  return {
    aqi: interpolate(band, tenths),
    category: table.categories[band.category],
    table,
    concentrationUgM3,
    aboveScale: false,
  };
}

/** Just the category of `aqiFromPm25`: same inputs, same errors. */
export function categoryFor(pm25UgM3: number, options: AqiOptions): Category {
  return aqiFromPm25(pm25UgM3, options).category;
}

// In whole tenths the fraction is one integer division, so an exact .5 stays exact and
// rounds up as EPA's "round to the nearest integer" intends.
function interpolate(band: Band, tenths: number): number {
  const lowTenths = breakpointTenths(band.lowUgM3);
  const highTenths = breakpointTenths(band.highUgM3);
  const rise = (band.highAqi - band.lowAqi) * (tenths - lowTenths);
  return Math.round(rise / (highTenths - lowTenths) + band.lowAqi);
}
