import { countyAt, distanceM, findCounty } from '@airbox/geo';
import type { AlertTarget } from '../types.ts';

type Area = Extract<AlertTarget, { area: unknown }>['area'];

/** An area as the evaluator tests boxes against it, with a label for messages. */
export interface AreaTest {
  /** The same for two subscriptions of the same area: they share one computed value. */
  key: string;
  label: string;
  contains(lat: number, lon: number): boolean;
}

export function areaTest(area: Area): AreaTest {
  if ('county' in area) {
    const county = findCounty(area.county);
    const code = county?.code ?? area.county;
    return {
      key: `county:${code}`,
      label: county?.name ?? area.county,
      contains: (lat, lon) => county !== null && countyAt(lat, lon)?.code === code,
    };
  }
  const radiusM = area.radiusKm * 1000;
  return {
    key: `circle:${area.lat},${area.lon},${area.radiusKm}`,
    label: `${area.radiusKm} km around ${area.lat}, ${area.lon}`,
    contains: (lat, lon) => distanceM({ lat, lon }, { lat: area.lat, lon: area.lon }) <= radiusM,
  };
}
