/**
 * QC flags: stable string codes attached to a reading. A flag never changes a raw value;
 * it tells the consumer (map, calibration, export) how far to trust it.
 *
 * Decoders set the codes they can see in one message; the stream worker adds the ones
 * that need history (spike, stuck, position jump, duplicate). All codes live here so that
 * one catalogue documents every code a user can meet.
 */

import { MEASURES, type FlagSeverity, type MeasureProblem, type MeasureSpec } from './measures.ts';

export type { FlagSeverity };

export interface FlagInfo {
  severity: FlagSeverity;
  description: string;
}

type MeasureFlag = `${(typeof MEASURES)[number]['id']}-${MeasureProblem}`;

function measureFlags(m: MeasureSpec): [string, FlagInfo][] {
  const { label, min, max, unit, severity } = m;
  return [
    [
      `${m.id}-missing`,
      {
        severity: severity.missing,
        description: `${label} was not reported, or reported as "N/A" or empty.`,
      },
    ],
    [
      `${m.id}-invalid`,
      { severity: severity.invalid, description: `${label} was not a number; the value is null.` },
    ],
    [
      `${m.id}-out-of-range`,
      {
        severity: severity['out-of-range'],
        description: `${label} is outside ${min}…${max} ${unit}; the raw value is kept, but left out of means and calibration.`,
      },
    ],
  ];
}

const OTHER_FLAGS = {
  'pm-order': {
    severity: 'suspect',
    description:
      'PM1 > PM2.5 or PM2.5 > PM10 by more than 1 µg/m³: the sizes of one sensor disagree.',
  },
  'clock-invalid': {
    severity: 'suspect',
    description:
      'The device time is impossible (before 2014, more than a day ahead, or a GPS default such as 2080-01-06 or 6/1/80); `time` is the receive time, or null when none is known, and `deviceTime` keeps what the device said.',
  },
  'clock-skew': {
    severity: 'suspect',
    description:
      'The device time is more than 10 minutes ahead of the time the message was received.',
  },
  'position-missing': { severity: 'info', description: 'No position was reported.' },
  'position-registered': {
    severity: 'info',
    description:
      'No position was reported; the one its owner registered the box at is used instead.',
  },
  'position-invalid': {
    severity: 'suspect',
    description:
      'The position is impossible (latitude beyond ±90°, longitude beyond ±180°, or exactly 0,0); lat and lon are null.',
  },
  'position-no-fix': {
    severity: 'info',
    description:
      'The GPS reported no fix (gps_fix=0): the position is the last known or a default one.',
  },
  'humidity-high': {
    severity: 'info',
    description:
      'Relative humidity above 95 %: hygroscopic growth makes optical sensors read high; calibration with an RH term corrects for it.',
  },
  spike: {
    severity: 'suspect',
    description: "PM2.5 jumped far from the device's recent readings (stream worker).",
  },
  stuck: {
    severity: 'unusable',
    description:
      'PM2.5 has not changed over many consecutive readings: a stuck sensor or fan (stream worker).',
  },
  'position-jump': {
    severity: 'suspect',
    description: 'A fixed box moved implausibly far since its last reading (stream worker).',
  },
} as const satisfies Record<string, FlagInfo>;

export type FlagCode = MeasureFlag | keyof typeof OTHER_FLAGS;

/** Every QC flag code with its severity and meaning. */
export const FLAGS: Record<FlagCode, FlagInfo> = {
  ...(Object.fromEntries((MEASURES as readonly MeasureSpec[]).flatMap(measureFlags)) as Record<
    MeasureFlag,
    FlagInfo
  >),
  ...OTHER_FLAGS,
};
export const FLAG_CODES = Object.keys(FLAGS) as FlagCode[];

export function isFlagCode(code: string): code is FlagCode {
  return Object.hasOwn(FLAGS, code);
}

/** True when none of the flags makes the PM2.5 suspect or unusable. */
export function pm25Trusted(flags: readonly FlagCode[]): boolean {
  return flags.every((f) => FLAGS[f].severity === 'info');
}

/**
 * True when no flag makes the PM2.5 unusable (e.g. `pm25-out-of-range`, `stuck`): such a
 * reading gets no calibrated value. A `suspect` one is still calibrated, as it is shown.
 */
export function pm25Usable(flags: readonly FlagCode[]): boolean {
  return flags.every((f) => FLAGS[f].severity !== 'unusable');
}

/**
 * The problems that keep a measure's value out of the hourly and daily means, out of
 * calibration fits and out of calibration itself. The value stays stored raw with its
 * flag; a sensor fault such as 1e308 or −50 µg/m³ must not move a mean (an invalid value
 * is null already, so only an out-of-range one is ever left out).
 */
export const EXCLUDING_PROBLEMS = [
  'invalid',
  'out-of-range',
] as const satisfies readonly MeasureProblem[];

/** The flag codes that leave a measure's value out (EXCLUDING_PROBLEMS), e.g. `pm25-out-of-range`. */
export function exclusionFlags(measure: Pick<MeasureSpec, 'id'>): string[] {
  return EXCLUDING_PROBLEMS.map((problem) => `${measure.id}-${problem}`);
}

/** True when the reading's value of `measure` is left out of means and calibration. */
export function valueExcluded(measure: Pick<MeasureSpec, 'id'>, flags: readonly string[]): boolean {
  // Most readings carry no flag: no codes to build for them.
  return flags.length > 0 && exclusionFlags(measure).some((code) => flags.includes(code));
}
