import type { RawMessage } from '@airbox/contracts';
import { onIndoorGrid } from './placement.ts';

/**
 * An indoor box's raw messages in its live tail: the text as the box sent it, but every
 * position in it on the indoor grid (placement.ts), as the rest of the API tells it. The
 * maker still sees that the box sends a position, and where to ~100 m. The shapes known
 * (packages/protocol: lass/decode.ts, lass/position.ts, native.ts, opendata.ts):
 * - LASS `|key=value|`: `gps_lat`, `gps_lon`, `gps-lat`, `gps-lon` (decimal degrees, or
 *   LinkIt ONE's ddmm.mmmm / 100, which the same rounding leaves ~185 m coarse) and
 *   `gps-loc` (`coordinates: [lat, lon]`) have their numbers rounded; `gps` (an NMEA GGA
 *   sentence, minutes in place of degrees) is replaced whole by GPS_HIDDEN;
 * - JSON (native, LASS open data): `lat`, `lon`, `latitude`, `longitude`, `gps_lat`,
 *   `gps_lon`, as numbers or numeric strings, also JSON-escaped inside a refusal reason
 *   that quotes the payload.
 * A position in a shape not listed here would pass: a format that adds one adds it here.
 */

/** What stands in place of an NMEA sentence: nothing in it can be rounded in place. */
export const GPS_HIDDEN = 'hidden';

const LASS_POSITION = /(^|\|)(gps_lat|gps_lon|gps-lat|gps-lon|gps-loc|gps)=([^|]*)/g;
const JSON_POSITION =
  /(\\?"(?:lat|lon|latitude|longitude|gps_lat|gps_lon)\\?"\s*:\s*(?:\\?")?)(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)/g;
const DECIMAL = /-?\d+\.\d+/g;

const onGrid = (number: string): string => String(onIndoorGrid(Number(number)));

function redactLass(text: string): string {
  return text.replace(LASS_POSITION, (_, start: string, key: string, value: string) => {
    const shown = key === 'gps' ? GPS_HIDDEN : value.replace(DECIMAL, onGrid);
    return `${start}${key}=${shown}`;
  });
}

/** The text with every position it carries on the indoor grid. */
export function redactPositions(text: string): string {
  return redactLass(text).replace(JSON_POSITION, (_, key: string, n: string) => key + onGrid(n));
}

/** The message with its text and reason redacted (a reason may quote the payload). */
export function redactRawMessage<M extends Pick<RawMessage, 'text' | 'reason'>>(message: M): M {
  const redacted = { ...message, text: redactPositions(message.text) };
  if (message.reason !== undefined) redacted.reason = redactPositions(message.reason);
  return redacted;
}
