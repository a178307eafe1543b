/**
 * Splits a LASS payload `|key=value|key=value…` into its fields, in order.
 * A value may itself hold `=` (only the first one separates); segments without `=` are
 * ignored, as LASS's own parser does (lass.py `data_process`). Firmware ends lines with
 * `\r` or `\r\n`, which are not part of the last value.
 */
export function splitLass(payload: string): Map<string, string> | null {
  const fields = new Map<string, string>();
  const segments = payload.trimEnd().split('|');
  for (const segment of segments) {
    const eq = segment.indexOf('=');
    if (eq > 0) fields.set(segment.slice(0, eq), segment.slice(eq + 1));
  }
  return fields.size > 0 ? fields : null;
}
