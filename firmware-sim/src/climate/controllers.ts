/**
 * The temperature/humidity sensors this firmware reads over Firmata, as data: which
 * johnny-five 2.1 controller drives each one, where it sits on the I2C bus, what it can
 * measure and how finely. Values are from each maker's datasheet (linked per entry).
 */

export interface ClimateControllerSpec {
  /** The johnny-five `controller` name (lib/sip.js `Drivers`, thermometer.js, hygrometer.js). */
  johnnyFiveController: string;
  /** The address johnny-five uses when none is given (its driver's `ADDRESSES[0]`). */
  defaultAddress: number;
  /** Every address the part can be strapped to. */
  addresses: readonly number[];
  /** Operating range of the temperature output, °C. */
  temperatureRangeC: readonly [number, number];
  /** Operating range of the humidity output, %RH. */
  humidityRangePct: readonly [number, number];
  /** Smallest step of the temperature output at the resolution johnny-five configures. */
  resolutionC: number;
  /** Smallest step of the humidity output at the resolution johnny-five configures. */
  resolutionPct: number;
  datasheet: string;
  /** What the datasheet says that the entry relies on (page, table). */
  notes: string;
}

export const CLIMATE_CONTROLLERS = {
  SHT31D: {
    johnnyFiveController: 'SHT31D',
    // SHT3x-DIS datasheet table 7: 0x44 with ADDR to VSS (default), 0x45 with ADDR to VDD.
    defaultAddress: 0x44,
    addresses: [0x44, 0x45],
    temperatureRangeC: [-40, 125],
    humidityRangePct: [0, 100],
    resolutionC: 0.015,
    resolutionPct: 0.01,
    datasheet: 'https://sensirion.com/media/documents/213E6A3B/63A5A569/Datasheet_SHT3x_DIS.pdf',
    notes:
      '§1 sensor performance: resolution 0.01 %RH and 0.015 °C at high repeatability ' +
      '(single-shot command 0x2400, table 8); §4.13: RH = 100·S/(2^16−1), ' +
      'T = −45 + 175·S/(2^16−1); §4.12: CRC-8 polynomial 0x31, init 0xFF.',
  },
  HTU21D: {
    johnnyFiveController: 'HTU21D',
    // HTU21D(F) datasheet, "I2C communication": the 7-bit address is fixed at 0x40.
    defaultAddress: 0x40,
    addresses: [0x40],
    temperatureRangeC: [-40, 125],
    humidityRangePct: [0, 100],
    resolutionC: 0.01,
    resolutionPct: 0.04,
    datasheet:
      'https://www.te.com/commerce/DocumentDelivery/DDEController?Action=showdoc&DocId=Data+Sheet%7FHPC199_6%7FA6%7Fpdf%7FEnglish%7FENG_DS_HPC199_6_A6.pdf',
    notes:
      'Power-up default 12-bit RH (0.04 %RH) / 14-bit T (0.01 °C); hold-master commands ' +
      '0xE3 (T), 0xE5 (RH); RH = −6 + 125·S/2^16, T = −46.85 + 175.72·S/2^16, the two status ' +
      'bits of the LSB set to 0 first; CRC-8 0x31, init 0x00.',
  },
  BME280: {
    johnnyFiveController: 'BME280',
    // BME280 datasheet §6.2: 0x76 with SDO to GND, 0x77 with SDO to VDDIO; johnny-five
    // assumes 0x77 (Adafruit's breakout), many other modules strap 0x76.
    defaultAddress: 0x77,
    addresses: [0x76, 0x77],
    temperatureRangeC: [-40, 85],
    humidityRangePct: [0, 100],
    resolutionC: 0.01,
    resolutionPct: 0.008,
    datasheet:
      'https://www.bosch-sensortec.com/media/boschsensortec/downloads/datasheets/bst-bme280-ds002.pdf',
    notes:
      'Tables 1–2: T −40…85 °C at 0.01 °C, RH 0…100 % at 0.008 %RH; trimming registers ' +
      '0x88…0xA1 and 0xE1…0xE7 (table 16), raw data 0xF7…0xFE; compensation §4.2.3 / §8. ' +
      'johnny-five reports the first value one response time (~1 s) after the coefficients.',
  },
} as const satisfies Record<string, ClimateControllerSpec>;

export type ClimateControllerName = keyof typeof CLIMATE_CONTROLLERS;

export const CLIMATE_CONTROLLER_NAMES = Object.keys(CLIMATE_CONTROLLERS) as ClimateControllerName[];

/** Why a converted reading cannot be a real one (an I2C glitch reads as all zeros or ones). */
export function rangeProblem(
  spec: ClimateControllerSpec,
  sample: { temperatureC: number | null; humidityPct: number | null },
): string | null {
  const { temperatureC: t, humidityPct: rh } = sample;
  const [tMin, tMax] = spec.temperatureRangeC;
  const [rhMin, rhMax] = spec.humidityRangePct;
  if (t === null || !Number.isFinite(t) || t < tMin || t > tMax) {
    return `temperature ${String(t)} °C outside the sensor's ${tMin}…${tMax} °C`;
  }
  if (rh === null || !Number.isFinite(rh) || rh < rhMin || rh > rhMax) {
    return `humidity ${String(rh)} %RH outside the sensor's ${rhMin}…${rhMax} %RH`;
  }
  return null;
}

/** 0x44 as "0x44", the way datasheets write I2C addresses. */
export function i2cHex(address: number): string {
  return `0x${address.toString(16).padStart(2, '0')}`;
}

/** "SHT31D (I2C 0x44)": how errors name a sensor. */
export function describeClimateSensor(controller: ClimateControllerName, address: number): string {
  return `${controller} (I2C ${i2cHex(address)})`;
}
