/**
 * Box health: how far a box's values can be trusted, judged from its own series by reading
 * time and from its neighbours' (the health stage, `@airbox/health`). The problem codes live
 * here beside the QC flag catalogue, so the API, the OpenAPI document, the map and the maker
 * page all read one list. A QC flag judges one reading; a health problem judges the box over
 * hours or days.
 */
import { FLAGS, type FlagCode } from './flags.ts';

/** `unknown`: too little recent data to judge (a new box, or one that stopped reporting). */
export const HEALTH_STATUSES = ['ok', 'suspect', 'faulty', 'unknown'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

export interface HealthProblemInfo {
  /** faulty: the PM values are wrong (left out of hexagons and the surface); suspect: doubtful. */
  severity: 'suspect' | 'faulty';
  /** The factor this problem multiplies the box's confidence by (0 … 1). */
  confidenceFactor: number;
  description: string;
  /** What the maker can do about it, in English and Traditional Chinese (Taiwan). */
  advice: { en: string; 'zh-TW': string };
}

export const HEALTH_PROBLEMS = {
  stuck: {
    severity: 'faulty',
    confidenceFactor: 0,
    description:
      'PM2.5 has kept exactly the same value for hours while the neighbours changed: the sensor or its firmware is frozen.',
    advice: {
      en: 'Restart the box; if the value stays frozen, replace the PM sensor.',
      'zh-TW': '請重新啟動盒子；若數值仍然不動，請更換 PM 感測器。',
    },
  },
  zero: {
    severity: 'faulty',
    confidenceFactor: 0,
    description:
      'The box still reports, but its PM reads 0 or nothing while the neighbours do not: a dead fan or a disconnected sensor.',
    advice: {
      en: 'Clean or replace the fan, and check the sensor cable.',
      'zh-TW': '請清潔或更換風扇，並檢查感測器的連接線。',
    },
  },
  spikes: {
    severity: 'suspect',
    confidenceFactor: 0.7,
    description:
      'Short peaks that none of the neighbours see, several times a day: a source right beside the box (a kitchen, a barbecue, a smoker, an exhaust).',
    advice: {
      en: 'Move the box away from kitchens, barbecues, exhausts and smokers.',
      'zh-TW': '請將盒子移離廚房、烤肉、排氣口與吸菸處。',
    },
  },
  'neighbour-outlier': {
    severity: 'suspect',
    confidenceFactor: 0.4,
    description:
      'The latest readings are far from what the boxes around it agree on (median and MAD of the neighbours), and no neighbour rises with it.',
    advice: {
      en: 'Check what is next to the box right now (smoke, cooking, a generator), and that the sensor inlet is clear.',
      'zh-TW': '請查看盒子旁邊現在有什麼（煙、烹飪、發電機），並確認感測器進氣口沒有堵塞。',
    },
  },
  drift: {
    severity: 'suspect',
    confidenceFactor: 0.5,
    description:
      'Over days the box has moved steadily away from its neighbours (and from the nearest reference station, where one is close): the sensor is ageing or getting dirty.',
    advice: {
      en: 'Clean the sensor inlet; if the drift goes on, replace the PM sensor.',
      'zh-TW': '請清潔感測器進氣口；若持續漂移，請更換 PM 感測器。',
    },
  },
  'indoor-like': {
    severity: 'suspect',
    confidenceFactor: 0.4,
    description:
      'Registered outdoors, but its temperature and PM swing much less over the day than the outdoor boxes around it, and follow them poorly: it is probably indoors.',
    advice: {
      en: 'Move the box outside (out of the kitchen or the classroom), or register it as indoor.',
      'zh-TW': '請將盒子移到室外（離開廚房或教室），或將它登記為室內。',
    },
  },
  fog: {
    severity: 'suspect',
    confidenceFactor: 0.6,
    description:
      'Recent readings were taken above 95 % relative humidity, where water on the particles makes optical sensors read high.',
    advice: {
      en: 'Nothing to repair: readings in fog are kept but trusted less. A rain shield that still lets air through helps.',
      'zh-TW': '不需要維修：起霧時的數值會保留，但可信度較低。加裝仍能通風的防雨罩會有幫助。',
    },
  },
  moved: {
    severity: 'suspect',
    confidenceFactor: 0.7,
    description:
      'The box reports a position far from where it was registered, or its position jumped: its readings may be placed wrongly on the map.',
    advice: {
      en: 'If the box was moved, update its position on the map; otherwise check its GPS.',
      'zh-TW': '若盒子已搬移，請在地圖上更新位置；否則請檢查 GPS。',
    },
  },
} as const satisfies Record<string, HealthProblemInfo>;

export type HealthProblemCode = keyof typeof HEALTH_PROBLEMS;
export const HEALTH_PROBLEM_CODES = Object.keys(HEALTH_PROBLEMS) as HealthProblemCode[];

export function isHealthProblemCode(code: string): code is HealthProblemCode {
  return Object.hasOwn(HEALTH_PROBLEMS, code);
}

export interface HealthProblem {
  code: HealthProblemCode;
  /** When the problem began, by reading time (ISO 8601 UTC). */
  since: string;
  /** What was seen, with the numbers (e.g. "same value 12 µg/m³ for 6 h"). */
  detail: string;
}

export interface BoxHealth {
  status: HealthStatus;
  /** 0 … 1: how far to trust the box's values now. */
  confidence: number;
  problems: HealthProblem[];
  /** The reading time the judgement is for (end of the window), ISO 8601 UTC; null: never judged. */
  evaluatedAt: string | null;
}

/** A box no one has judged yet. */
export const UNKNOWN_HEALTH: BoxHealth = {
  status: 'unknown',
  confidence: 0.5,
  problems: [],
  evaluatedAt: null,
};

/** Humidity above which a single reading is trusted less (the `humidity-high` flag's). */
const FOG_RH_PCT = 95;

/**
 * How far to trust one reading, 0 … 1: its box's confidence (null: never judged, 0.5),
 * lowered by its own QC flags (an unusable one: 0; a suspect one: × 0.6) and by fog
 * (RH > 95 %: × 0.6). One function, so every route and file format gives the same number.
 */
export function readingConfidence(
  boxConfidence: number | null,
  reading: { flags: readonly FlagCode[]; humidityPct: number | null; kind?: string },
): number {
  // Reference stations are the truth the boxes are held against.
  if (reading.kind === 'reference') return 1;
  let c = boxConfidence ?? UNKNOWN_HEALTH.confidence;
  for (const flag of reading.flags) {
    const severity = FLAGS[flag].severity;
    if (severity === 'unusable') return 0;
    if (severity === 'suspect') c *= 0.6;
  }
  if (reading.humidityPct !== null && reading.humidityPct > FOG_RH_PCT) c *= 0.6;
  return Math.round(c * 100) / 100;
}

/** The latest judgement of every box as serve keeps it: replaced whole after each run. */
export interface HealthSnapshot {
  /** Grows with each new judgement (answers that carry health tag their ETag with it). */
  version: number;
  byDevice: ReadonlyMap<string, BoxHealth>;
}
