/** Which agency's index to report in. */
export const SCALES = ['tw', 'us'] as const;
export type Scale = (typeof SCALES)[number];

/** Stable category keys, the same for every table, in order of increasing concern. */
export const CATEGORY_KEYS = [
  'good',
  'moderate',
  'unhealthy-sensitive',
  'unhealthy',
  'very-unhealthy',
  'hazardous',
] as const;
export type CategoryKey = (typeof CATEGORY_KEYS)[number];

/**
 * What a school should do with outdoor activity (PE, break time, outdoor lessons) in a category.
 * A machine-readable summary of `Category.advice`, for a "can we go outside?" panel.
 */
export const OUTDOOR_ACTIVITY = [
  'fine',
  'reduce-for-sensitive',
  'reduce-for-everyone',
  'move-indoors',
] as const;
export type OutdoorActivity = (typeof OUTDOOR_ACTIVITY)[number];

export interface Text {
  readonly en: string;
  readonly zhTw: string;
}

export interface Category {
  readonly key: CategoryKey;
  readonly name: Text;
  /** `#RRGGBB`, the agency's colour for the category. */
  readonly colourHex: string;
  readonly outdoorActivity: OutdoorActivity;
  /** One or two plain sentences for students and teachers. */
  readonly advice: Text;
}

/** One row of a breakpoint table: [lowUgM3, highUgM3] maps linearly onto [lowAqi, highAqi]. */
export interface Band {
  readonly lowUgM3: number;
  readonly highUgM3: number;
  readonly lowAqi: number;
  readonly highAqi: number;
  readonly category: CategoryKey;
}

/** How an agency reduces a concentration to its table's precision before looking it up. */
export interface ConcentrationStep {
  readonly decimals: 1;
  readonly method: 'truncate' | 'round';
}

export interface Source {
  readonly name: string;
  readonly url?: string;
}

export interface AqiTable {
  readonly id: string;
  readonly scale: Scale;
  readonly agency: string;
  readonly title: string;
  /**
   * The instant the table took effect: midnight of the published date, written with the
   * offset of the agency's local time (so `Date.parse` gives the right instant).
   */
  readonly effectiveFrom: string;
  /** The averaging period the breakpoints are defined for. */
  readonly averagingPeriod: '24h';
  readonly concentrationStep: ConcentrationStep;
  readonly sources: readonly Source[];
  /** What was checked against which source, and what could not be. */
  readonly verification: string;
  readonly bands: readonly Band[];
  readonly categories: Readonly<Record<CategoryKey, Category>>;
}
