import type { Method, ModelInput, Profile } from '../types.ts';
import { makeProfile } from './profile.ts';

// Barkjohn, Gantt & Clements 2021, "Development and application of a United States-wide
// correction for PM2.5 data collected with the PurpleAir sensor", AMT 14:4617–4637,
// doi:10.5194/amt-14-4617-2021 — the final U.S.-wide correction:
//   PM2.5 = 0.524 · PA_cf1 − 0.0862 · RH + 5.75
// PA_cf1 = mean of the A and B channels at CF=1 (µg/m³); RH = the PurpleAir's own RH (%).
const NATIONWIDE = { slope: 0.524, rhCoefficient: -0.0862, interceptUgM3: 5.75 } as const;

function nationwide(rawUgM3: number, rhPct: number): number {
  return NATIONWIDE.slope * rawUgM3 + NATIONWIDE.rhCoefficient * rhPct + NATIONWIDE.interceptUgM3;
}

const nationwideProfile: Profile = makeProfile(
  'epa-barkjohn-2021@1',
  NATIONWIDE,
  ({ rawPm25UgM3, rhPct }: ModelInput) => (rhPct === null ? null : nationwide(rawPm25UgM3, rhPct)),
);

export const epaBarkjohn2021: Method = {
  id: nationwideProfile.id,
  name: 'US EPA nationwide PurpleAir correction',
  source: 'Barkjohn et al. 2021, AMT 14:4617, doi:10.5194/amt-14-4617-2021',
  fitted: false,
  fit: () => nationwideProfile,
  // Published constants: the version in the id pins them, so stored params add nothing.
  fromParams: () => nationwideProfile,
};

// Barkjohn, Holder, Frederick & Clements 2022, "Correction and Accuracy of PurpleAir PM2.5
// Measurements for Extreme Wildfire Smoke", Sensors 22(24):9669, doi:10.3390/s22249669:
// the nationwide correction up to PA_cf1 = 570 (300 µg/m³ at 50 % RH), a quadratic from
// PA_cf1 = 611 (400 µg/m³), and a linear blend between, weight = 0.0244 · PA_cf1 − 13.9.
// The breakpoints, the blend and the low range were checked against a copy of the paper's
// equations (community.purpleair.com/t/new-epa-correction/10372). The quadratic's
// coefficients were NOT checked against the paper's text; they are consistent with its
// anchor (400 µg/m³ at 611) but verify them before relying on values above 570 µg/m³.
const EXTENDED = {
  lowEndCf1UgM3: 570,
  highStartCf1UgM3: 611,
  blendSlope: 0.0244,
  blendOffset: 13.9,
  quadratic: 4.21e-4,
  linear: 0.392,
  constantUgM3: 3.44,
} as const;

function extended(x: number, rhPct: number | null): number | null {
  const quadratic = EXTENDED.quadratic * x * x + EXTENDED.linear * x + EXTENDED.constantUgM3;
  if (x >= EXTENDED.highStartCf1UgM3) return quadratic;
  if (rhPct === null) return null;
  const low = nationwide(x, rhPct);
  if (x < EXTENDED.lowEndCf1UgM3) return low;
  const weight = EXTENDED.blendSlope * x - EXTENDED.blendOffset;
  return weight * quadratic + (1 - weight) * low;
}

const extendedProfile: Profile = makeProfile(
  'epa-barkjohn-2022@1',
  { ...NATIONWIDE, ...EXTENDED },
  ({ rawPm25UgM3, rhPct }: ModelInput) => extended(rawPm25UgM3, rhPct),
);

export const epaBarkjohn2022: Method = {
  id: extendedProfile.id,
  name: 'US EPA correction extended to extreme smoke',
  source: 'Barkjohn et al. 2022, Sensors 22:9669, doi:10.3390/s22249669',
  fitted: false,
  fit: () => extendedProfile,
  fromParams: () => extendedProfile,
};
