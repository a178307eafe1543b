/**
 * The edge of the model: a config from the CLI or a test is checked here, once, and filled
 * in with the defaults. Unknown keys are refused so that a misspelt override does not pass
 * silently as the default.
 */
import { CodedError } from '@airbox/contracts';
import { z } from 'zod';
import {
  DEFAULT_FIELD,
  DEFAULT_PLACEMENT,
  DEFAULT_REFERENCE,
  DEFAULT_SENSOR_ERRORS,
  type SimConfig,
  type SimConfigInput,
} from './config.ts';

const share = z.number().min(0).max(1);
const nonNegative = z.number().min(0).max(1e6);
const positive = z.number().positive().max(1e6);

const SensorErrorSchema = z.strictObject({
  gainMean: z.number().positive().max(100),
  gainSdLog: z.number().min(0).max(3),
  offsetSdUgM3: nonNegative,
  kappa: z.number().min(0).max(2),
  kappaSd: z.number().min(0).max(1),
  rhCapPct: z.number().min(0).max(99),
  coarseKappaRatio: z.number().min(0).max(10),
  coarseSensitivity: z.number().min(0).max(10),
  driftMeanPctPerDay: z.number().min(-10).max(10),
  driftSdPctPerDay: z.number().min(0).max(10),
  noiseSdUgM3: nonNegative,
  noiseRelative: z.number().min(0).max(1),
  temperatureBiasC: z.number().min(-20).max(20),
  temperatureSdC: z.number().min(0).max(20),
  humiditySdPct: z.number().min(0).max(50),
  indoorShare: share,
  infiltrationMean: share,
  infiltrationSd: share,
  indoorTimeConstantH: z.number().min(0.05).max(48),
  cookingChance: share,
  wrongClockShare: share,
  fanFailureRatePerDay: z.number().min(0).max(100),
  fanFailureMeanH: positive,
  stuckRatePerDay: z.number().min(0).max(100),
  stuckMeanH: positive,
  outageRatePerDay: z.number().min(0).max(1000),
  outageMeanMin: positive,
  outageRateSdLog: z.number().min(0).max(3),
});

const FieldSchema = z.strictObject({
  backgroundScale: z.number().min(0).max(100),
  synopticSdLog: z.number().min(0).max(3),
  localSdLog: z.number().min(0).max(3),
  episodesPerMonthWinter: z.number().min(0).max(100),
  episodesPerMonthSummer: z.number().min(0).max(100),
  episodeMedianUgM3: nonNegative,
  plumesPerDay: z.number().min(0).max(100_000),
  plumeMedianUgM3: nonNegative,
});

const ReferenceSchema = z.strictObject({
  gainSd: z.number().min(0).max(1),
  noiseSdUgM3: nonNegative,
  noiseRelative: z.number().min(0).max(1),
  missingShare: share,
});

const PlacementSchema = z.strictObject({
  perStation: z.number().int().min(0).max(10),
  stationMaxDistanceM: z.number().min(1).max(300),
});

const SimConfigInputSchema = z.strictObject({
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  startMs: z.number().int().min(0).max(8.64e15),
  boxes: z.number().int().min(0).max(1_000_000),
  errors: SensorErrorSchema.partial().optional(),
  field: FieldSchema.partial().optional(),
  reference: ReferenceSchema.partial().optional(),
  placement: PlacementSchema.partial().optional(),
});

/** A config the model cannot run with; `message` names every bad field. */
export class SimConfigError extends CodedError<'SIM_CONFIG_INVALID'> {
  constructor(message: string) {
    super('SIM_CONFIG_INVALID', message);
  }
}

/** Validates `input` and fills in the defaults; throws `SimConfigError` naming the fields. */
export function resolveSimConfig(input: SimConfigInput): SimConfig {
  const parsed = SimConfigInputSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(config)'}: ${issue.message}`,
    );
    throw new SimConfigError(
      `simulator config is invalid: ${problems.join('; ')} (see DEFAULT_SIM_CONFIG for the fields and their ranges)`,
    );
  }
  const c = parsed.data;
  return {
    seed: c.seed,
    startMs: c.startMs,
    boxes: c.boxes,
    errors: withDefaults(DEFAULT_SENSOR_ERRORS, c.errors),
    field: withDefaults(DEFAULT_FIELD, c.field),
    reference: withDefaults(DEFAULT_REFERENCE, c.reference),
    placement: withDefaults(DEFAULT_PLACEMENT, c.placement),
  };
}

/** `{ ...defaults, ...overrides }`, except that an override of `undefined` keeps the default. */
function withDefaults<T extends object>(
  defaults: Readonly<T>,
  overrides: Partial<T> | undefined,
): T {
  const out = { ...defaults };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (value !== undefined) Object.assign(out, { [key]: value });
  }
  return out;
}
