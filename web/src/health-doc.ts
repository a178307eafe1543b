/**
 * The health of a box and the confidence of a reading as the API documents them: every
 * problem code with its meaning is written into the OpenAPI document from the one
 * catalogue (HEALTH_PROBLEMS in @airbox/contracts).
 */
import {
  HEALTH_PROBLEM_CODES,
  HEALTH_PROBLEMS,
  HEALTH_STATUSES,
  UNKNOWN_HEALTH,
  type BoxHealth,
  type HealthSnapshot,
} from '@airbox/contracts';
import { z } from 'zod';
import { docSchemas } from './doc-registry.ts';

const codeList = HEALTH_PROBLEM_CODES.map(
  (code) => `\`${code}\` (${HEALTH_PROBLEMS[code].severity}): ${HEALTH_PROBLEMS[code].description}`,
).join('\n- ');

export const HealthProblemDoc = z
  .object({
    code: z.enum(HEALTH_PROBLEM_CODES).describe(`What is wrong:\n- ${codeList}`),
    since: z.iso.datetime().describe('when it began, by reading time'),
    detail: z.string().describe('what was seen, with the numbers'),
  })
  .register(docSchemas, { id: 'HealthProblem' });

export const HealthDoc = z
  .object({
    status: z
      .enum(HEALTH_STATUSES)
      .describe(
        '`ok`; `suspect` (a problem makes its values doubtful); `faulty` (its PM values are wrong: left out of hexagons and the surface); `unknown` (too little recent data to judge, or not judged yet)',
      ),
    confidence: z.number().min(0).max(1).describe('how far to trust its values now, 0 … 1'),
    problems: z.array(HealthProblemDoc),
    evaluatedAt: z.iso
      .datetime()
      .nullable()
      .describe('the reading time the judgement is for; null: never judged'),
  })
  .describe(
    "The box's health, judged every 5 minutes from its own hourly series and its neighbours' (the health stage).",
  )
  .register(docSchemas, { id: 'Health' });

export const confidenceDoc = z
  .number()
  .min(0)
  .max(1)
  .describe(
    "How far to trust this reading, 0 … 1: its box's health confidence, lowered by its QC flags (unusable: 0; suspect: × 0.6) and fog (RH > 95 %: × 0.6). 1 for reference stations.",
  );

/** A box's health from the latest judgement, `unknown` when it has none. */
export function healthOf(all: HealthSnapshot | undefined, deviceId: string): BoxHealth {
  return all?.byDevice.get(deviceId) ?? UNKNOWN_HEALTH;
}
