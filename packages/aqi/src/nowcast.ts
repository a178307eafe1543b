import { toTenths } from './concentration.ts';
import { AqiRangeError } from './errors.ts';

/** NowCast looks back this many hours (EPA-454/B-24-002, NowCast section). */
export const NOWCAST_HOURS = 12;

/** The weight factor is never below this; 0.5 approximates a 3-hour average. */
export const NOWCAST_MIN_WEIGHT = 0.5;

/**
 * EPA's PM2.5 NowCast: a weighted average of up to 12 hourly averages that follows fast
 * changes (a fire, a traffic jam) while staying close to a 12-hour average when air is steady.
 *
 * Method: EPA, Technical Assistance Document for the Reporting of Daily Air Quality – the Air
 * Quality Index (AQI), EPA-454/B-24-002 (May 2024), NowCast section; EPA fact sheet "PM
 * NowCast" (https://nepis.epa.gov/Exe/ZyPURL.cgi?Dockey=P100X0J6.txt); completeness and
 * truncation rules from AirNow's "The NowCast for PM2.5 and PM10"
 * (https://forum.airnowtech.org/t/the-nowcast-for-pm2-5-and-pm10/172):
 *   1. w* = cmin / cmax over the valid hours of the last 12 (= 1 − (cmax − cmin) / cmax)
 *   2. w  = max(w*, 0.5)
 *   3. NowCast = Σ w^i · c_i / Σ w^i over valid hours, i = hours ago (0 = most recent)
 *   4. valid only if at least 2 of the 3 most recent hours are present
 *   5. computed from raw hourly values, then truncated to 0.1 µg/m³
 *
 * @param hourlyUgM3 hourly PM2.5 averages, most recent first, `null` for a missing hour;
 *   at most 12 (an array shorter than 12 means the older hours are missing).
 * @returns the NowCast in µg/m³, truncated to 0.1, or `null` when fewer than 2 of the 3 most
 *   recent hours are present.
 * @throws AqiRangeError when more than 12 hours are given or a value is negative or not finite.
 */
export function nowCastPm25(hourlyUgM3: readonly (number | null)[]): number | null {
  if (hourlyUgM3.length > NOWCAST_HOURS) {
    throw new AqiRangeError(
      'too-many-hours',
      `NowCast takes at most ${NOWCAST_HOURS} hourly values, got ${hourlyUgM3.length}; ` +
        `pass the most recent ${NOWCAST_HOURS}`,
    );
  }
  const valid: { hoursAgo: number; valueUgM3: number }[] = [];
  hourlyUgM3.forEach((valueUgM3, hoursAgo) => {
    if (valueUgM3 === null) return;
    if (!Number.isFinite(valueUgM3) || valueUgM3 < 0) {
      throw new AqiRangeError(
        'invalid-hourly-value',
        `hourly PM2.5 ${String(valueUgM3)} µg/m³ (${hoursAgo} h ago) is negative or not ` +
          `finite; pass null for an hour without a valid reading`,
      );
    }
    valid.push({ hoursAgo, valueUgM3 });
  });

  const recentCount = valid.filter((v) => v.hoursAgo < 3).length;
  if (recentCount < 2) return null;

  const values = valid.map((v) => v.valueUgM3);
  const maxUgM3 = Math.max(...values);
  if (maxUgM3 === 0) return 0;
  const weight = Math.max(Math.min(...values) / maxUgM3, NOWCAST_MIN_WEIGHT);

  let weightedSum = 0;
  let weightSum = 0;
  for (const { hoursAgo, valueUgM3 } of valid) {
    const w = weight ** hoursAgo;
    weightedSum += w * valueUgM3;
    weightSum += w;
  }
  return toTenths(weightedSum / weightSum, { decimals: 1, method: 'truncate' }) / 10;
}
