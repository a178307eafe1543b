/**
 * The fleet simulator's world model: a pure, deterministic function of (seed, box, time)
 * that the runtime (../runtime) draws virtual sensor readings, Wi-Fi outages, reference
 * hours and the exported truth from. No network, no timers, no clock.
 */
export * from './types.ts';
export * from './config.ts';
export { resolveSimConfig, SimConfigError } from './config-schema.ts';
export { createSimWorld, type SimWorldOptions } from './world.ts';
export { cf1ToAtm, countsFromMass, kohlerGrowthFactor } from './sensor.ts';
export { isInland, isLand, TAIWAN_BBOX } from './land.ts';
export { POPULATED_PLACES, INDUSTRIAL_SOURCES, type Place } from './places.ts';
export { annualMeanPm25, diurnalFactor, localHour, seasonalFactor } from './background.ts';
