import type { Method } from '../types.ts';
import { epaBarkjohn2021, epaBarkjohn2022 } from './epa.ts';
import { huberLinear } from './huber.ts';
import { kohlerLinear } from './kohler.ts';
import { linear, multilinear } from './linear.ts';

export { epaBarkjohn2021, epaBarkjohn2022, huberLinear, kohlerLinear, linear, multilinear };
export { growthFactor, KAPPA_RANGE, KOHLER_RH_CAP_PCT } from './kohler.ts';
export { HUBER_K } from './huber.ts';

/**
 * Every method the system evaluates, simplest first: on a tie in the pick rule the earlier
 * one wins. The EPA nationwide correction is also the fallback (see validate.ts, pickMethod).
 */
export const METHODS: readonly Method[] = [
  epaBarkjohn2021,
  epaBarkjohn2022,
  linear,
  huberLinear,
  multilinear,
  kohlerLinear,
];

export const FALLBACK_METHOD: Method = epaBarkjohn2021;

export function methodById(id: string): Method | undefined {
  return METHODS.find((m) => m.id === id);
}
