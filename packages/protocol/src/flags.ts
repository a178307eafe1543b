/**
 * QC flags: stable string codes attached to a reading. A flag never changes a raw value;
 * it tells the consumer (map, calibration, export) how far to trust it.
 *
 * Decoders set the codes they can see in one message; the stream worker adds the ones
 * that need history (spike, stuck, position jump, duplicate). All codes live here so that
 * one catalogue documents every code a user can meet.
 */

/** The measured quantities of a reading, in the order exports list them. */
export const MEASURES = ['pm1', 'pm25', 'pm10', 'temperature', 'humidity'] as const;
export type Measure = (typeof MEASURES)[number];

/**
 * Plausible ranges. Outside them a value is kept but flagged `<measure>-out-of-range`.
 * PMS5003 datasheet: "maximum range ≥ 1000 µg/m³" (effective range 0–500).
 * Ambient temperature: the SHT31/HTU21D/BME280 parts all cover −40…85 °C; beyond that the
 * reading is a sensor fault (real LASS data holds s_t0=604.51).
 */
export const MEASURE_RANGES: Record<Measure, { min: number; max: number; unit: string }> = {
  pm1: { min: 0, max: 1000, unit: 'µg/m³' },
  pm25: { min: 0, max: 1000, unit: 'µg/m³' },
  pm10: { min: 0, max: 1000, unit: 'µg/m³' },
  temperature: { min: -40, max: 85, unit: '°C' },
  humidity: { min: 0, max: 100, unit: '%' },
};

const MEASURE_LABEL: Record<Measure, string> = {
  pm1: 'PM1',
  pm25: 'PM2.5',
  pm10: 'PM10',
  temperature: 'temperature',
  humidity: 'relative humidity',
};

/**
 * How far a flag lowers trust in the reading's PM2.5:
 * - `info`: worth knowing, the PM2.5 is usable as it is;
 * - `suspect`: kept and shown, but left out of calibration fits and the interpolated surface;
 * - `unusable`: the PM2.5 cannot be used at all.
 */
export type FlagSeverity = 'info' | 'suspect' | 'unusable';

export interface FlagInfo {
  severity: FlagSeverity;
  description: string;
}

type Problem = 'missing' | 'invalid' | 'out-of-range';
type MeasureFlag = `${Measure}-${Problem}`;

const PM25 = { missing: 'unusable', invalid: 'unusable', 'out-of-range': 'unusable' } as const;
const OTHER_PM = { missing: 'info', invalid: 'info', 'out-of-range': 'suspect' } as const;
// A broken T/RH sensor does not falsify the PM reading; RH-based calibration falls back.
const AMBIENT = { missing: 'info', invalid: 'info', 'out-of-range': 'info' } as const;
const SEVERITY: Record<Measure, Record<Problem, FlagSeverity>> = {
  pm1: OTHER_PM,
  pm25: PM25,
  pm10: OTHER_PM,
  temperature: AMBIENT,
  humidity: AMBIENT,
};

function measureFlags(measure: Measure): [MeasureFlag, FlagInfo][] {
  const label = MEASURE_LABEL[measure];
  const { min, max, unit } = MEASURE_RANGES[measure];
  const severity = SEVERITY[measure];
  return [
    [
      `${measure}-missing`,
      {
        severity: severity.missing,
        description: `${label} was not reported, or reported as "N/A" or empty.`,
      },
    ],
    [
      `${measure}-invalid`,
      { severity: severity.invalid, description: `${label} was not a number; the value is null.` },
    ],
    [
      `${measure}-out-of-range`,
      {
        severity: severity['out-of-range'],
        description: `${label} is outside ${min}…${max} ${unit}; the raw value is kept.`,
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
  ...(Object.fromEntries(MEASURES.flatMap(measureFlags)) as Record<MeasureFlag, FlagInfo>),
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
