// κ-Köhler growth of the particles an optical sensor sizes while they are wet:
//   raw = dry · (1 + κ · aw / (1 − aw)),  aw = RH / 100
// Crilley et al. 2018, AMT 11:709 (after Petters & Kreidenweis 2007, ACP 7:1961); the same
// form is Model 2 of Nilson et al. 2022, AMT 15:3315 (PM / (1 + κ / (100/RH − 1))).
// The growth term diverges at saturation, so RH is capped at 99 %.
export const KOHLER_RH_CAP_PCT = 99;
// Hygroscopicity of ambient aerosol is ~0.1–0.7 (Petters & Kreidenweis 2007; NaCl ≈ 1.3);
// the search covers that with room to spare and never goes negative (shrinking when wet).
export const KAPPA_RANGE = { min: 0, max: 2, gridStep: 0.01 } as const;
