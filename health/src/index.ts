export * from './series.ts';
export * from './engine.ts';
export { findNeighbours, NEIGHBOUR_DEFAULTS, type NeighbourOptions } from './neighbours.ts';
export { SLOW_WINDOW_HOURS, SLOW_WINDOW_MS, DRIFT } from './detectors/drift.ts';
export { STUCK } from './detectors/stuck.ts';
export { ZERO } from './detectors/zero.ts';
export { INDOOR } from './detectors/indoor.ts';
export { NEIGHBOUR_CHECK, SPIKES } from './detectors/outlier.ts';
export { FOG_RH_PCT } from './detectors/fog.ts';
