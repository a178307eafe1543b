import { AqiRangeError } from '../errors.ts';
import type { AqiTable, Scale } from '../types.ts';
import { TW_MOENV_2016 } from './tw-moenv-2016.ts';
import { TW_MOENV_2025 } from './tw-moenv-2025.ts';
import { US_EPA_2012 } from './us-epa-2012.ts';
import { US_EPA_2024 } from './us-epa-2024.ts';

export { TW_MOENV_2016, TW_MOENV_2025, US_EPA_2012, US_EPA_2024 };

/** Every table this package knows, oldest first within each scale (`tableInForce` relies on it). */
export const AQI_TABLES: readonly AqiTable[] = [
  TW_MOENV_2016,
  TW_MOENV_2025,
  US_EPA_2012,
  US_EPA_2024,
];

/**
 * The table of `scale` in force at the instant `at`: the latest one whose `effectiveFrom`
 * is not after `at`. Throws `AqiRangeError` for an invalid date or a date before the scale's
 * first table (Taiwan reported PSI, not AQI, before 2016-12-01).
 */
export function tableInForce(scale: Scale, at: Date): AqiTable {
  const atMs = at.getTime();
  if (Number.isNaN(atMs)) {
    throw new AqiRangeError('invalid-time', `time ${String(at)} is not a valid Date`);
  }
  const ofScale = AQI_TABLES.filter((table) => table.scale === scale);
  const found = ofScale.findLast((table) => Date.parse(table.effectiveFrom) <= atMs);
  if (found === undefined) {
    throw new AqiRangeError(
      'no-table-in-force',
      `no '${scale}' AQI table was in force at ${at.toISOString()}; the earliest known ` +
        `took effect ${ofScale[0]?.effectiveFrom ?? '(none)'}`,
    );
  }
  return found;
}
