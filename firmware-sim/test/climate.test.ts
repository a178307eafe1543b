import { createRequire } from 'node:module';
import { requireBinary, startPtyPair, stopChild, waitFor } from '@airbox/testkit';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CLIMATE_CONTROLLERS,
  openClimateSensor,
  type ClimateControllerName,
  type ClimateSensor,
  type ClimateSensorOptions,
} from '../src/climate/index.ts';
import { ManualClock, loadDeviceConfig, type ClimateSample } from '../src/index.ts';
import { actAsFirmataBoard } from './helpers/fake-firmata-board.ts';
import { MockFirmata, readyBoard, respond as respondOn } from './helpers/mock-firmata.ts';
import { bme280, htu21d, sht31, type ClimateValues, type I2cRead } from './helpers/i2c-sensors.ts';

/**
 * johnny-five reads T/RH through mock-firmata's board, which stands where firmata-io would:
 * each test answers the controller's I2C reads with the bytes a real sensor would send.
 */
const require = createRequire(import.meta.url);
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The responder, stopped after the test. */
function respond(...args: Parameters<typeof respondOn>) {
  const responder = respondOn(...args);
  cleanups.push(responder.stop);
  return responder;
}

async function open(options: ClimateSensorOptions): Promise<ClimateSensor> {
  const sensor = await openClimateSensor(options);
  cleanups.push(() => sensor.close());
  return sensor;
}

/** Off by at most the sensor's resolution plus johnny-five's rounding to 0.01 or finer. */
function expectDecoded(sample: ClimateSample, values: ClimateValues, name: ClimateControllerName) {
  const { resolutionC, resolutionPct } = CLIMATE_CONTROLLERS[name];
  expect(Math.abs((sample.temperatureC ?? NaN) - values.temperatureC)).toBeLessThanOrEqual(
    resolutionC + 0.005,
  );
  expect(Math.abs((sample.humidityPct ?? NaN) - values.humidityPct)).toBeLessThanOrEqual(
    resolutionPct + 0.005,
  );
}

const CASES: [ClimateControllerName, (v: () => ClimateValues) => I2cRead, number?][] = [
  ['SHT31D', sht31],
  ['HTU21D', htu21d],
  ['BME280', bme280, 0x76], // the address most non-Adafruit modules are strapped to
];

describe('ClimateSensor over mock-firmata: johnny-five decodes what the sensor encodes', () => {
  it.each(CASES)('%s', async (controller, device, address) => {
    let values: ClimateValues = { temperatureC: 21.37, humidityPct: 45.2 };
    const board = readyBoard();
    const at = address ?? CLIMATE_CONTROLLERS[controller].defaultAddress;
    respond(
      board,
      at,
      device(() => values),
    );
    const sensor = await open({ controller, io: board, address, readTimeoutMs: 5000 });
    expectDecoded(sensor.read(), values, controller);

    values = { temperatureC: -8.45, humidityPct: 83.05 };
    await waitFor('the new values', () => Math.abs((sensor.read().temperatureC ?? 0) + 8.45) < 0.1);
    expectDecoded(sensor.read(), values, controller);
  });
});

describe('ClimateSensor: what a user sees when something is wrong', () => {
  const name = 'SHT31D (I2C 0x44) on Firmata IO "Mock"';

  it('a board that never finishes the Firmata handshake: CLIMATE_OPEN_TIMEOUT', async () => {
    const clock = new ManualClock();
    const opening = openClimateSensor({
      controller: 'SHT31D',
      io: new MockFirmata(),
      readTimeoutMs: 3000,
      clock,
    });
    clock.advanceMs(3000);
    await expect(opening).rejects.toMatchObject({
      code: 'CLIMATE_OPEN_TIMEOUT',
      message: expect.stringContaining(
        `no reading from ${name} within 3000 ms: the board did not finish the Firmata handshake`,
      ),
    });
  });

  it('a ready board whose sensor never answers: the timeout names the addresses', async () => {
    const clock = new ManualClock();
    const board = readyBoard();
    respond(
      board,
      0x45,
      sht31(() => ({ temperatureC: 20, humidityPct: 50 })),
    ); // ADDR high
    const opening = openClimateSensor({
      controller: 'SHT31D',
      io: board,
      readTimeoutMs: 500,
      clock,
    });
    await waitFor('the board to be ready', () => board.isReady);
    clock.advanceMs(500);
    await expect(opening).rejects.toThrow(
      /the board is ready but the sensor never answered; .* \(SHT31D: 0x44 or 0x45\)/,
    );
  });

  it('a bus that reads all zeros gives no reading (SHT3x: −45 °C), and says so', async () => {
    const clock = new ManualClock();
    const board = readyBoard();
    const { state } = respond(board, 0x44, (_register, count) => new Array<number>(count).fill(0));
    const opening = openClimateSensor({
      controller: 'SHT31D',
      io: board,
      readTimeoutMs: 500,
      clock,
    });
    await waitFor('two replies', () => state.reads >= 2);
    clock.advanceMs(500);
    await expect(opening).rejects.toThrow(
      "last problem: temperature -45 °C outside the sensor's -40…125 °C",
    );
  });

  it('read() throws CLIMATE_STALE once the sensor stops answering, and after close()', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 27, 8, 0, 0));
    const board = readyBoard();
    const responder = respond(
      board,
      0x44,
      sht31(() => ({ temperatureC: 24.5, humidityPct: 61 })),
    );
    const sensor = await open({ controller: 'SHT31D', io: board, readTimeoutMs: 5000, clock });
    clock.advanceMs(10_000);
    expectDecoded(sensor.read(), { temperatureC: 24.5, humidityPct: 61 }, 'SHT31D');

    responder.stop();
    clock.advanceMs(10_001);
    expect(() => sensor.read()).toThrow(
      expect.objectContaining({
        code: 'CLIMATE_STALE',
        message: expect.stringContaining(`${name}: no fresh reading (none for`),
      }),
    );
    await sensor.close();
    expect(() => sensor.read()).toThrow(`${name} is closed`);
  });

  it('refuses options it cannot run with', async () => {
    await expect(
      openClimateSensor({
        controller: 'HTU21D',
        io: new MockFirmata(),
        port: '/dev/ttyACM0',
        address: 0x80,
        readTimeoutMs: 1000,
      }),
    ).rejects.toMatchObject({
      code: 'CLIMATE_OPTIONS_INVALID',
      message:
        'climate sensor: give exactly one of io (a Firmata IO object) and port (a serial ' +
        'device path); address 128 is not a 7-bit I2C address (0x08…0x77)',
    });
  });
});

describe("the device config's climate section", () => {
  const base = ['--device-id=box-1', '--broker-url=mqtt://h:1883', '--buffer-dir=/tmp/b'];
  const load = (...flags: string[]) => loadDeviceConfig([...base, ...flags]);

  it('is optional, and takes a controller, a port and an address in hex or decimal', () => {
    expect(load().climate).toBeUndefined();
    expect(load('--climate-controller=BME280', '--climate-port=/dev/ttyACM0').climate).toEqual({
      controller: 'BME280',
      port: '/dev/ttyACM0',
    });
    const json = (address: unknown) =>
      loadDeviceConfig(['--config=box.json'], () =>
        JSON.stringify({
          deviceId: 'box-1',
          broker: { url: 'mqtt://h:1883' },
          buffer: { dir: '/tmp/b' },
          climate: { controller: 'BME280', port: '/dev/ttyACM0', address },
        }),
      ).climate?.address;
    expect(json('0x76')).toBe(0x76);
    expect(json(119)).toBe(0x77);
  });

  it.each([
    [
      ['--climate-controller=DHT22', '--climate-port=/dev/ttyACM0'],
      'climate.controller = "DHT22" (from --climate-controller): Invalid option',
    ],
    [['--climate-controller=SHT31D'], 'climate.port: required, but missing'],
    [
      ['--climate-controller=SHT31D', '--climate-port=/dev/ttyACM0', '--climate-address=0x76'],
      'climate.address = "0x76" (from --climate-address): the SHT31D answers at 0x44 or 0x45 only',
    ],
    [
      ['--climate-controller=HTU21D', '--climate-port=/dev/ttyACM0', '--climate-address=200'],
      'climate.address = 200 (from --climate-address): must be a 7-bit I2C address, 0x08…0x77',
    ],
    [
      ['--climate-controller=BME280', '--climate-port=/dev/ttyACM0', '--climate-address=x76'],
      'climate.address = "x76" (from --climate-address): must be an I2C address: a number or hex like "0x76"',
    ],
  ])('refuses %j, naming the field and the problem', (flags, message) => {
    expect(() => load(...flags)).toThrow(message);
  });
});

const skipReason = await requireBinary('socat');

/** A real pty pair (socat); the test's end is opened with serialport 13 like the host's. */
async function ptyPair() {
  const pty = await startPtyPair();
  cleanups.push(() => stopChild(pty.child));
  const far = new SerialPort({ path: pty.sensorPath, baudRate: 57_600 });
  await new Promise((resolve, reject) => far.once('open', resolve).once('error', reject));
  cleanups.push(() => new Promise((resolve) => far.close(resolve)));
  return { hostPath: pty.hostPath, far };
}

describe('ClimateSensor on a serial port (serialport 13 + firmata-io)', () => {
  it('names the port when it cannot be opened', async () => {
    await expect(
      openClimateSensor({ controller: 'BME280', port: '/dev/ttyNOPE9', readTimeoutMs: 1000 }),
    ).rejects.toMatchObject({
      code: 'CLIMATE_PORT_ERROR',
      message: expect.stringContaining('cannot open Firmata board on /dev/ttyNOPE9'),
    });
  });

  it.skipIf(skipReason !== '').each(CASES.slice(0, 2))(
    skipReason || '%s behind a Firmata board on a real pty: johnny-five reads it end to end',
    async (controller, device) => {
      const { hostPath, far } = await ptyPair();
      const values = { temperatureC: 27.3, humidityPct: 38.6 };
      const address = CLIMATE_CONTROLLERS[controller].defaultAddress;
      const board = actAsFirmataBoard(
        far,
        address,
        device(() => values),
      );
      cleanups.push(() => board.stop());
      const sensor = await open({ controller, port: hostPath, readTimeoutMs: 5000 });
      expect(sensor.name).toBe(
        `${controller} (I2C ${address === 0x44 ? '0x44' : '0x40'}) on ${hostPath}`,
      );
      expectDecoded(sensor.read(), values, controller);
    },
  );

  it.skipIf(skipReason !== '')(
    skipReason ||
      'a silent board on a real pty: the timeout names the port; serialport 8 never loads',
    async () => {
      const { hostPath } = await ptyPair();
      const opening = openClimateSensor({
        controller: 'HTU21D',
        port: hostPath,
        readTimeoutMs: 300,
      });
      await expect(opening).rejects.toThrow(
        `no reading from HTU21D (I2C 0x40) on ${hostPath} within 300 ms: the board did not finish the Firmata handshake`,
      );
      const loaded = Object.keys(require.cache).filter((p) => /serialport(\+bindings)?@8/.test(p));
      expect(loaded).toEqual([]);
    },
  );
});
