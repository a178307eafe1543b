export * from './types.ts';
export { SURFACE_DEFAULTS, parseSurfaceOptions, surfaceOptionsSchema } from './options.ts';
export type { SurfaceOptions, SurfaceOptionsInput } from './options.ts';
export type { LooResult } from './loo.ts';
export { computeSurface, leaveOneOut } from './surface.ts';
export { surfaceJson, type SurfaceJson } from './json.ts';
export { syntheticField, syntheticPoints, taiwanLikeSites, type FieldSpec } from './synthetic.ts';
