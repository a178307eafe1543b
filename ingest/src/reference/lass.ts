import type { Reading } from '@airbox/contracts';
import { decodeOpenData } from '@airbox/protocol';
import { problem, type ParsedReference } from './problems.ts';
import { asIndex, type ReferenceStation, type StationIndex } from './stations.ts';

/**
 * LASS's republished EPA data (`last-all-epa.json`, `{ "feeds": [ … app=EPA_COPY … ] }`),
 * decoded by the protocol's open-data decoder, which already makes `kind: 'reference'`
 * readings with LASS's `device_id` (`EPA-Hengchun`). Here only what the decoder cannot know
 * is checked: that a record is a station (not an AirBox record in the same archive), that it
 * has a time, and that the station is in the registry, as for every other source.
 */
export function parseLassEpa(
  json: unknown,
  stations: readonly ReferenceStation[] | StationIndex,
  nowMs: number,
  source = 'LASS last-all-epa',
): ParsedReference<Reading> {
  const index = asIndex(stations);
  const out: ParsedReference<Reading> = { readings: [], problems: [] };
  decodeOpenData(json, { nowMs }).forEach((result, i) => {
    const where = `feeds[${i}]`;
    if (!result.ok) {
      out.problems.push(problem(source, where, 'decode-failed', result.error.message));
      return;
    }
    for (const r of result.readings) {
      if (r.kind !== 'reference') {
        const what = `${r.deviceId} (app ${r.app ?? 'none'}) is not a government station record (app EPA_COPY)`;
        out.problems.push(problem(source, where, 'not-reference', what));
      } else if (r.time === null) {
        out.problems.push(
          problem(source, where, 'invalid-time', `${r.deviceId} has no usable time`),
        );
      } else if (index.byDevice(r.deviceId) === undefined) {
        const what = `${r.deviceId} is not a station of the registry (${index.stations.length} stations)`;
        out.problems.push(problem(source, where, 'unknown-station', what));
      } else {
        out.readings.push(r);
      }
    }
  });
  return out;
}
