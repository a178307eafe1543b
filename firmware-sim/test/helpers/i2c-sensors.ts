/**
 * Fake I2C sensors for the climate tests: each turns a temperature and humidity into the
 * bytes the real part would put on the bus, using the maker's own conversion formulas run
 * backwards, and answers reads the way a Firmata board relays them.
 */

/** What a device returns for a read of `count` bytes, after writing `register` (or not). */
export type I2cRead = (register: number | null, count: number) => number[];

export interface ClimateValues {
  temperatureC: number;
  humidityPct: number;
}

/** CRC-8, polynomial 0x31 (x^8 + x^5 + x^4 + 1), as both Sensirion and TE specify it. */
export function crc8(bytes: readonly number[], init: number): number {
  let crc = init;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc & 0x80 ? (crc << 1) ^ 0x31 : crc << 1) & 0xff;
  }
  return crc;
}

const word = (w: number) => [(w >> 8) & 0xff, w & 0xff];

/**
 * SHT3x-DIS: one 6-byte answer to a single-shot measurement, T then RH, each MSB, LSB, CRC.
 * §4.13: T = −45 + 175·S_T/(2^16 − 1), RH = 100·S_RH/(2^16 − 1); §4.12: CRC init 0xFF.
 */
export function sht31(values: () => ClimateValues): I2cRead {
  return (_register, count) => {
    const { temperatureC, humidityPct } = values();
    const st = Math.round(((temperatureC + 45) / 175) * 0xffff);
    const srh = Math.round((humidityPct / 100) * 0xffff);
    const t = word(st);
    const rh = word(srh);
    return [...t, crc8(t, 0xff), ...rh, crc8(rh, 0xff)].slice(0, count);
  };
}

/**
 * HTU21D(F), hold-master commands 0xE3 (T) and 0xE5 (RH), each answered MSB, LSB, CRC.
 * Datasheet "Conversion of signal outputs": T = −46.85 + 175.72·S/2^16 at 14 bits,
 * RH = −6 + 125·S/2^16 at 12 bits; the LSB's two low bits are status, bit 1 set for RH.
 * CRC init 0x00.
 */
export function htu21d(values: () => ClimateValues): I2cRead {
  return (register, count) => {
    const { temperatureC, humidityPct } = values();
    let w: number;
    if (register === 0xe3) w = Math.round(((temperatureC + 46.85) / 175.72) * 2 ** 14) << 2;
    else if (register === 0xe5) w = (Math.round(((humidityPct + 6) / 125) * 2 ** 12) << 4) | 0b10;
    else throw new Error(`HTU21D has no command 0x${register?.toString(16)}`);
    const bytes = word(w);
    return [...bytes, crc8(bytes, 0x00)].slice(0, count);
  };
}

/**
 * Trimming values for the fake BME280. T and P are the worked example of Bosch's BMP280
 * datasheet (BST-BMP280-DS001: adc_T 519888 → 25.08 °C), whose T/P compensation the
 * BME280 shares; the H values are of the size real chips carry (each chip has its own).
 */
export const BME280_TRIM = {
  T1: 27504, T2: 26435, T3: -1000,
  P1: 36477, P2: -10685, P3: 3024, P4: 2855, P5: 140, P6: -7, P7: 15500, P8: -14600, P9: 6000,
  H1: 75, H2: 362, H3: 0, H4: 313, H5: 50, H6: 30,
}; // prettier-ignore

const T = BME280_TRIM;

/** BME280 datasheet §8.1, compensation in double precision: [°C, t_fine]. */
function bme280Temperature(adcT: number): [number, number] {
  const var1 = (adcT / 16384 - T.T1 / 1024) * T.T2;
  const var2 = (adcT / 131072 - T.T1 / 8192) ** 2 * T.T3;
  return [(var1 + var2) / 5120, var1 + var2];
}

/** BME280 datasheet §8.1, humidity in double precision (%RH). */
function bme280Humidity(adcH: number, tFine: number): number {
  let h = tFine - 76800;
  h = (adcH - (T.H4 * 64 + (T.H5 / 16384) * h)) *
    ((T.H2 / 65536) * (1 + (T.H6 / 67108864) * h * (1 + (T.H3 / 67108864) * h)));
  h = h * (1 - (T.H1 * h) / 524288);
  return Math.min(100, Math.max(0, h));
} // prettier-ignore

/** The smallest raw value in [0, max] whose compensated value reaches `target`. */
function invert(f: (raw: number) => number, target: number, max: number): number {
  let [lo, hi] = [0, max];
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (f(mid) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** BME280 register file: trimming at 0x88…0xA1 and 0xE1…0xE7 (table 16), data 0xF7…0xFE. */
export function bme280(values: () => ClimateValues): I2cRead {
  const mem = new Array<number>(256).fill(0);
  const le = (at: number, v: number) => mem.splice(at, 2, v & 0xff, (v >> 8) & 0xff);
  [T.T1, T.T2, T.T3, T.P1, T.P2, T.P3, T.P4, T.P5, T.P6, T.P7, T.P8, T.P9].forEach((v, i) =>
    le(0x88 + 2 * i, v),
  );
  mem[0xa1] = T.H1;
  le(0xe1, T.H2);
  mem[0xe3] = T.H3;
  // 0xE4 = H4[11:4], 0xE5 = H5[3:0] << 4 | H4[3:0], 0xE6 = H5[11:4] (table 16).
  mem.splice(0xe4, 3, T.H4 >> 4, ((T.H5 & 0xf) << 4) | (T.H4 & 0xf), T.H5 >> 4);
  mem[0xe7] = T.H6 & 0xff;
  const adc20 = (at: number, v: number) =>
    mem.splice(at, 3, v >> 12, (v >> 4) & 0xff, (v & 0xf) << 4);
  return (register, count) => {
    const { temperatureC, humidityPct } = values();
    const adcT = invert((raw) => bme280Temperature(raw)[0], temperatureC, 2 ** 20 - 1);
    const tFine = bme280Temperature(adcT)[1];
    const adcH = invert((raw) => bme280Humidity(raw, tFine), humidityPct, 0xffff);
    adc20(0xf7, 415148); // the BMP280 example's adc_P (100 653 Pa): keeps the P maths finite
    adc20(0xfa, adcT);
    mem.splice(0xfd, 2, ...word(adcH));
    const start = register ?? 0;
    return mem.slice(start, start + count);
  };
}
