import { isDeadLetterCode, type DeadLetterCode } from '@airbox/contracts';

/**
 * A dead letter's code and reason as a store reads them back. A row written by another
 * version may hold a code this one does not list (renamed since, or added later): the letter
 * stays readable — a listing must not fail, nor hide it — as `unknown-code`, its own code
 * kept at the head of the reason so nothing it said is lost.
 */
export function readDeadLetterCode(
  code: string,
  reason: string,
): { code: DeadLetterCode; reason: string } {
  return isDeadLetterCode(code)
    ? { code, reason }
    : { code: 'unknown-code', reason: `${code}: ${reason}` };
}
