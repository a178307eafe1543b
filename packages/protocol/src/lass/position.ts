/** Positions in the shapes LASS devices send them. All results are decimal degrees. */

export interface RawPosition {
  lat: number;
  lon: number;
  /** GPS fix quality; 0 = no fix. Null when the message does not say. */
  fix: number | null;
}

/**
 * `$GPGGA,hhmmss.sss,ddmm.mmmm,N,dddmm.mmmm,E,fix,sats,hdop,alt,M,geoid,M,,*CS`
 * (NMEA 0183 GGA sentence). Returns null when the sentence is malformed or its checksum
 * (XOR of the characters between `$` and `*`) is wrong.
 */
export function parseGpgga(sentence: string): RawPosition | null {
  const star = sentence.lastIndexOf('*');
  if (!sentence.startsWith('$GPGGA,') || star === -1) return null;
  const declared = parseInt(sentence.slice(star + 1, star + 3), 16);
  let sum = 0;
  for (let i = 1; i < star; i++) sum ^= sentence.charCodeAt(i);
  if (sum !== declared) return null;
  const f = sentence.slice(0, star).split(',');
  const lat = nmeaDegrees(f[2], 2);
  const lon = nmeaDegrees(f[4], 3);
  if (lat === null || lon === null) return null;
  const fix = Number(f[6]);
  return {
    lat: f[3] === 'S' ? -lat : lat,
    lon: f[5] === 'W' ? -lon : lon,
    fix: Number.isInteger(fix) ? fix : null,
  };
}

/** NMEA `ddmm.mmmm` (latitude, 2 degree digits) or `dddmm.mmmm` (longitude, 3). */
function nmeaDegrees(field: string | undefined, degreeDigits: number): number | null {
  if (!field || !/^\d+(\.\d+)?$/.test(field) || field.indexOf('.') < degreeDigits + 2) {
    return null;
  }
  const degrees = Number(field.slice(0, degreeDigits));
  const minutes = Number(field.slice(degreeDigits));
  return minutes < 60 ? roundDegrees(degrees + minutes / 60) : null;
}

/** LinkIt ONE writes NMEA ddmm.mmmm divided by 100: 25.025452 is 25° 02.5452′. */
export function ddmmOver100ToDegrees(value: number): number {
  const sign = value < 0 ? -1 : 1;
  const abs = Math.abs(value);
  const degrees = Math.floor(abs);
  const minutes = (abs - degrees) * 100;
  return sign * roundDegrees(degrees + minutes / 60);
}

/** 1e-7° is ~1 cm: finer than any GPS, and it drops the float noise of the conversion. */
function roundDegrees(deg: number): number {
  return Math.round(deg * 1e7) / 1e7;
}

/** ver_format 1 MAPS: `gps-loc={ type:"Point",  coordinates: [25.024463 , 121.368752 ] }`. */
export function parseGpsLoc(value: string): { lat: number; lon: number } | null {
  const m = /coordinates:\s*\[\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*\]/.exec(value);
  return m ? { lat: Number(m[1]), lon: Number(m[2]) } : null;
}

/** Impossible positions: beyond the globe, or the 0,0 that a GPS reports before a fix. */
export function isImpossiblePosition(lat: number, lon: number): boolean {
  return (
    !Number.isFinite(lat) ||
    !Number.isFinite(lon) ||
    Math.abs(lat) > 90 ||
    Math.abs(lon) > 180 ||
    (lat === 0 && lon === 0)
  );
}
